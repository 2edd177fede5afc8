package payfeedback

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
)

// DefaultMaxArticles is the most articles a news message may carry: the
// document's 10 (docs/protocol.md, "Customer-service messages"; the live API later lowered it to 8, then 1, so it
// is configurable in ClientOptions.MaxArticles and MessageLimits).
const DefaultMaxArticles = 10

// ErrInvalidRequest is wrapped by every *ValidationError: the call was
// refused before anything was sent. Fix the argument the error names.
var ErrInvalidRequest = errors.New("payfeedback: invalid request")

// ValidationError says which rule an argument or a message broke. Nothing
// was sent. errors.Is(err, ErrInvalidRequest) is true for it.
type ValidationError struct {
	// Subject is what was checked: "text message", "news message",
	// "UpdateFeedback", "shipment", …
	Subject string
	// Field is the offending field, as named on the wire
	// ("content", "articles[3].url", "openid").
	Field string
	// Rule is the rule broken, for people ("required", "at most 10
	// articles, got 11", …).
	Rule string
}

// Error implements error.
func (e *ValidationError) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("payfeedback: invalid %s: %s", e.Subject, e.Rule)
	}
	return fmt.Sprintf("payfeedback: invalid %s: %s: %s", e.Subject, e.Field, e.Rule)
}

// Unwrap returns ErrInvalidRequest.
func (e *ValidationError) Unwrap() error { return ErrInvalidRequest }

// MessageType is a customer-service message type, the msgtype of docs/protocol.md,
// "Customer-service messages". (Not to be confused with MsgType, the kind of a complaint
// notification.)
type MessageType string

// The six message types of docs/protocol.md, "Customer-service messages".
const (
	MessageText  MessageType = "text"
	MessageImage MessageType = "image"
	MessageVoice MessageType = "voice"
	MessageVideo MessageType = "video"
	MessageMusic MessageType = "music"
	MessageNews  MessageType = "news"
)

// MessageLimits are the limits a message is validated against.
type MessageLimits struct {
	// MaxArticles is the most articles of a news message; 0 means
	// DefaultMaxArticles.
	MaxArticles int
}

// Message is a customer-service message: TextMessage, ImageMessage,
// VoiceMessage, VideoMessage, MusicMessage or NewsMessage. Its JSON encoding
// is the payload sent under the key named by its Type, next to touser and
// msgtype:
//
//	{"touser":"OPENID","msgtype":"text","text":{"content":"Hello"}}
//
// Other implementations may be sent as they are (a type the API added
// later); SendMessage calls Validate first and sends nothing if it fails.
type Message interface {
	// Type is the msgtype.
	Type() MessageType
	// Validate checks the message before it is sent and returns a
	// *ValidationError naming the broken rule.
	Validate(limits MessageLimits) error
}

// TextMessage is a text message.
type TextMessage struct {
	// Content is the text; required.
	Content string `json:"content"`
}

// ImageMessage is an image, uploaded first with UploadMedia(MediaImage).
type ImageMessage struct {
	// MediaID is the uploaded image's media_id; required.
	MediaID string `json:"media_id"`
}

// VoiceMessage is a voice recording, uploaded with UploadMedia(MediaVoice).
type VoiceMessage struct {
	// MediaID is the uploaded voice's media_id; required.
	MediaID string `json:"media_id"`
}

// VideoMessage is a video, uploaded with UploadMedia(MediaVideo), and its
// thumbnail, uploaded with UploadMedia(MediaThumb).
type VideoMessage struct {
	// MediaID is the video's media_id; required.
	MediaID string `json:"media_id"`
	// ThumbMediaID is the thumbnail's media_id; required.
	ThumbMediaID string `json:"thumb_media_id"`
}

// MusicMessage is a piece of music played from a URL, with a thumbnail
// uploaded with UploadMedia(MediaThumb).
type MusicMessage struct {
	// Title is optional.
	Title string `json:"title,omitempty"`
	// Description is optional.
	Description string `json:"description,omitempty"`
	// MusicURL is the music's http(s) URL; required.
	MusicURL string `json:"musicurl"`
	// HQMusicURL is the high-quality music's http(s) URL (played on Wi-Fi);
	// required.
	HQMusicURL string `json:"hqmusicurl"`
	// ThumbMediaID is the thumbnail's media_id; required.
	ThumbMediaID string `json:"thumb_media_id"`
}

// NewsMessage is a list of articles (links with a title, a text and a
// picture).
type NewsMessage struct {
	// Articles: at least one (the kit's choice: the document sets no
	// minimum, and the fake WeChat refuses an empty list too), at most
	// MessageLimits.MaxArticles.
	Articles []Article `json:"articles"`
}

// Article is one entry of a news message. Every field is optional, as in
// WeChat's document.
type Article struct {
	// Title is the article's title.
	Title string `json:"title,omitempty"`
	// Description is its text.
	Description string `json:"description,omitempty"`
	// URL is the page opened when the article is tapped.
	URL string `json:"url,omitempty"`
	// PicURL is the article's picture (JPG or PNG).
	PicURL string `json:"picurl,omitempty"`
}

// Type implements Message.
func (TextMessage) Type() MessageType { return MessageText }

// Type implements Message.
func (ImageMessage) Type() MessageType { return MessageImage }

// Type implements Message.
func (VoiceMessage) Type() MessageType { return MessageVoice }

// Type implements Message.
func (VideoMessage) Type() MessageType { return MessageVideo }

// Type implements Message.
func (MusicMessage) Type() MessageType { return MessageMusic }

// Type implements Message.
func (NewsMessage) Type() MessageType { return MessageNews }

// Validate implements Message: Content is required.
func (m TextMessage) Validate(MessageLimits) error {
	return required(MessageText, "content", m.Content)
}

// Validate implements Message: MediaID is required.
func (m ImageMessage) Validate(MessageLimits) error {
	return required(MessageImage, "media_id", m.MediaID)
}

// Validate implements Message: MediaID is required.
func (m VoiceMessage) Validate(MessageLimits) error {
	return required(MessageVoice, "media_id", m.MediaID)
}

// Validate implements Message: MediaID and ThumbMediaID are required.
func (m VideoMessage) Validate(MessageLimits) error {
	if err := required(MessageVideo, "media_id", m.MediaID); err != nil {
		return err
	}
	return required(MessageVideo, "thumb_media_id", m.ThumbMediaID)
}

// Validate implements Message: MusicURL, HQMusicURL and ThumbMediaID are
// required.
func (m MusicMessage) Validate(MessageLimits) error {
	for _, f := range [...]struct{ name, value string }{
		{"musicurl", m.MusicURL}, {"hqmusicurl", m.HQMusicURL}, {"thumb_media_id", m.ThumbMediaID},
	} {
		if err := required(MessageMusic, f.name, f.value); err != nil {
			return err
		}
	}
	return nil
}

// Validate implements Message: 1 to limits.MaxArticles articles. The upper
// bound is the document's; the lower one is the kit's choice (the document
// sets no minimum; an empty news message shows the user nothing, and the
// fake WeChat refuses it with 47001 too). Every field of an article is
// optional, as WeChat's document has it (title, description, url and picurl
// are all marked 否), so an article is never refused for what it lacks, not
// even an empty one; the fake WeChat accepts the same (docs/protocol.md,
// "Customer-service messages").
func (m NewsMessage) Validate(limits MessageLimits) error {
	limit := limits.MaxArticles
	if limit <= 0 {
		limit = DefaultMaxArticles
	}
	switch n := len(m.Articles); {
	case n == 0:
		return &ValidationError{Subject: "news message", Field: "articles", Rule: "at least one article is required"}
	case n > limit:
		return &ValidationError{Subject: "news message", Field: "articles",
			Rule: fmt.Sprintf("at most %d articles, got %d (split it into several messages)", limit, n)}
	}
	return nil
}

// required refuses an empty value. A value of white space only is present,
// which is all the document asks: it is sent as given, and the fake WeChat
// accepts it too.
func required(t MessageType, field, value string) error {
	if value == "" {
		return &ValidationError{Subject: string(t) + " message", Field: field, Rule: "required"}
	}
	return nil
}

// encodeMessage validates msg and returns the body of
// /cgi-bin/message/custom/send.
func encodeMessage(openID string, msg Message, limits MessageLimits) ([]byte, error) {
	if msg == nil {
		return nil, &ValidationError{Subject: "SendMessage", Field: "msg", Rule: "required"}
	}
	t := msg.Type()
	if t == "" {
		return nil, &ValidationError{Subject: "message", Field: "msgtype", Rule: "required"}
	}
	if err := msg.Validate(limits); err != nil {
		return nil, err
	}
	payload, err := json.Marshal(msg)
	if err != nil {
		return nil, fmt.Errorf("payfeedback: encoding the %s message: %w", t, err)
	}
	// Field order as in WeChat's documentation: touser, msgtype, payload.
	var b bytes.Buffer
	b.WriteString(`{"touser":`)
	writeJSONString(&b, openID)
	b.WriteString(`,"msgtype":`)
	writeJSONString(&b, string(t))
	b.WriteByte(',')
	writeJSONString(&b, string(t))
	b.WriteByte(':')
	b.Write(payload)
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	enc, _ := json.Marshal(s) // a string always encodes
	b.Write(enc)
}

// ParseMessage decodes a message body as sent to
// /cgi-bin/message/custom/send, e.g.
//
//	{"msgtype":"text","text":{"content":"Hello"}}
//
// into its typed Message, and validates it with limits. A touser field is
// allowed and ignored (the recipient is SendMessage's argument). Unknown
// fields are refused, so a typo is not silently dropped.
func ParseMessage(data []byte, limits MessageLimits) (Message, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, &ValidationError{Subject: "message body", Rule: "not a JSON object: " + err.Error()}
	}
	var t MessageType
	if raw, ok := top["msgtype"]; !ok {
		return nil, &ValidationError{Subject: "message body", Field: "msgtype", Rule: "required"}
	} else if err := json.Unmarshal(raw, &t); err != nil {
		return nil, &ValidationError{Subject: "message body", Field: "msgtype", Rule: "must be a string"}
	}
	for _, k := range slices.Sorted(maps.Keys(top)) {
		if k != "touser" && k != "msgtype" && k != string(t) {
			return nil, &ValidationError{Subject: "message body", Field: k, Rule: fmt.Sprintf("unknown field for a %s message", t)}
		}
	}
	var msg Message
	switch t {
	case MessageText:
		msg = new(TextMessage)
	case MessageImage:
		msg = new(ImageMessage)
	case MessageVoice:
		msg = new(VoiceMessage)
	case MessageVideo:
		msg = new(VideoMessage)
	case MessageMusic:
		msg = new(MusicMessage)
	case MessageNews:
		msg = new(NewsMessage)
	default:
		return nil, &ValidationError{Subject: "message body", Field: "msgtype",
			Rule: fmt.Sprintf("unknown type %q (want text, image, voice, video, music or news)", t)}
	}
	raw, ok := top[string(t)]
	if !ok {
		return nil, &ValidationError{Subject: string(t) + " message", Field: string(t), Rule: "required (the payload object)"}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(msg); err != nil {
		return nil, &ValidationError{Subject: string(t) + " message", Field: string(t), Rule: err.Error()}
	}
	// Dereference: the typed values are used by value everywhere else.
	switch m := msg.(type) {
	case *TextMessage:
		msg = *m
	case *ImageMessage:
		msg = *m
	case *VoiceMessage:
		msg = *m
	case *VideoMessage:
		msg = *m
	case *MusicMessage:
		msg = *m
	case *NewsMessage:
		msg = *m
	}
	if err := msg.Validate(limits); err != nil {
		return nil, err
	}
	return msg, nil
}
