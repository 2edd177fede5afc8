package mockwechat

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback"
)

// Message is a customer-service message delivered to a user's inbox.
type Message struct {
	// Seq numbers the user's messages from 1.
	Seq     uint64 `json:"seq"`
	AppID   string `json:"appid"`
	ToUser  string `json:"touser"`
	MsgType string `json:"msgtype"`
	// Raw is the JSON body the merchant sent.
	Raw  json.RawMessage `json:"raw"`
	Time time.Time       `json:"time"`
}

// inbox keeps a user's last messages in a ring.
type inbox struct {
	ring []Message
	next uint64 // seq of the next message
}

func (b *inbox) add(m Message, max int) {
	b.next++
	m.Seq = b.next
	if len(b.ring) < max {
		b.ring = append(b.ring, m)
		return
	}
	b.ring[(b.next-1)%uint64(max)] = m
}

func (b *inbox) list() []Message {
	out := make([]Message, 0, len(b.ring))
	if len(b.ring) == 0 {
		return out
	}
	first := uint64(1)
	if b.next > uint64(len(b.ring)) {
		first = b.next - uint64(len(b.ring)) + 1
	}
	for seq := first; seq <= b.next; seq++ {
		out = append(out, b.ring[(seq-1)%uint64(len(b.ring))])
	}
	return out
}

// Inbox returns the messages delivered to openID (by any account), oldest
// first: the last Options.InboxSize per user.
func (s *Server) Inbox(openID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Message
	for appID := range s.accounts {
		if u, ok := s.users[userKey{appID, openID}]; ok {
			out = append(out, u.inbox.list()...)
		}
	}
	if out == nil {
		out = []Message{}
	}
	return out
}

// InboxOf returns the messages one account delivered to a user.
func (s *Server) InboxOf(appID, openID string) []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u, ok := s.users[userKey{appID, openID}]; ok {
		return u.inbox.list()
	}
	return []Message{}
}

// The customer-service message kinds (PROTOCOL §8).
const (
	MsgText  = "text"
	MsgImage = "image"
	MsgVoice = "voice"
	MsgVideo = "video"
	MsgMusic = "music"
	MsgNews  = "news"
)

type mediaRef struct {
	MediaID string `json:"media_id"`
}

// sendBody is the custom/send request. Unknown fields are ignored.
type sendBody struct {
	ToUser  string `json:"touser"`
	MsgType string `json:"msgtype"`
	Text    *struct {
		Content string `json:"content"`
	} `json:"text"`
	Image *mediaRef `json:"image"`
	Voice *mediaRef `json:"voice"`
	Video *struct {
		MediaID      string `json:"media_id"`
		ThumbMediaID string `json:"thumb_media_id"`
		Title        string `json:"title"`
		Description  string `json:"description"`
	} `json:"video"`
	Music *struct {
		Title        string `json:"title"`
		Description  string `json:"description"`
		MusicURL     string `json:"musicurl"`
		HQMusicURL   string `json:"hqmusicurl"`
		ThumbMediaID string `json:"thumb_media_id"`
	} `json:"music"`
	News *struct {
		Articles []struct {
			Title       string `json:"title"`
			Description string `json:"description"`
			URL         string `json:"url"`
			PicURL      string `json:"picurl"`
		} `json:"articles"`
	} `json:"news"`
}

// parseSend decodes and checks the shape of a custom/send body: 44002
// empty, 47001 not JSON or wrong shape, 40008 unknown msgtype, 47001 a
// required field missing. It returns the media ids the message uses.
func parseSend(body []byte) (sendBody, []string, response, bool) {
	var m sendBody
	if len(bytes.TrimSpace(body)) == 0 {
		return m, nil, fail(payfeedback.CodeEmptyPostData, "the body is empty"), false
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return m, nil, fail(payfeedback.CodeDataFormat, "body is not a JSON object of the right shape"), false
	}
	missing := func(field string) (sendBody, []string, response, bool) {
		return m, nil, fail(payfeedback.CodeDataFormat, "missing "+field), false
	}
	var media []string
	switch m.MsgType {
	case MsgText:
		if m.Text == nil || m.Text.Content == "" {
			return missing("text.content")
		}
	case MsgImage:
		if m.Image == nil || m.Image.MediaID == "" {
			return missing("image.media_id")
		}
		media = []string{m.Image.MediaID}
	case MsgVoice:
		if m.Voice == nil || m.Voice.MediaID == "" {
			return missing("voice.media_id")
		}
		media = []string{m.Voice.MediaID}
	case MsgVideo:
		switch {
		case m.Video == nil || m.Video.MediaID == "":
			return missing("video.media_id")
		case m.Video.ThumbMediaID == "":
			return missing("video.thumb_media_id")
		}
		media = []string{m.Video.MediaID, m.Video.ThumbMediaID}
	case MsgMusic:
		switch {
		case m.Music == nil || m.Music.MusicURL == "":
			return missing("music.musicurl")
		case m.Music.HQMusicURL == "":
			return missing("music.hqmusicurl")
		case m.Music.ThumbMediaID == "":
			return missing("music.thumb_media_id")
		}
		media = []string{m.Music.ThumbMediaID}
	case MsgNews:
		if m.News == nil || len(m.News.Articles) == 0 {
			return missing("news.articles")
		}
	case "":
		return m, nil, fail(payfeedback.CodeInvalidMsgType, "msgtype missing"), false
	default:
		return m, nil, fail(payfeedback.CodeInvalidMsgType, "unknown msgtype "+strconv.Quote(clip(m.MsgType, 32))), false
	}
	return m, media, response{}, true
}

// handleCustomSend serves POST /cgi-bin/message/custom/send (PROTOCOL §8).
// Checks, in order: the token (41001, 40001, 42001), the body (44002 empty,
// 47001 not JSON or wrong shape, 40008 msgtype, 47001 required field), the
// user (40003), media ids (40007: unknown, expired or another account's),
// the news limit (45008, or the seed's silence), the interaction window
// (45015). A message that passes lands in the user's inbox.
func (s *Server) handleCustomSend(c *apiCall) response {
	appID, resp, ok := c.auth()
	if !ok {
		return resp
	}
	m, media, resp, ok := parseSend(c.body)
	if !ok {
		return resp
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.ToUser == "" {
		return fail(payfeedback.CodeInvalidOpenID, "touser missing")
	}
	u, ok := s.users[userKey{appID, m.ToUser}]
	if !ok {
		return fail(payfeedback.CodeInvalidOpenID, "no such user for this appid")
	}
	for _, id := range media {
		if !s.media.valid(id, appID, c.now, s.set.MediaTTL) {
			return fail(payfeedback.CodeInvalidMediaID, "unknown or expired media_id")
		}
	}
	if m.MsgType == MsgNews && len(m.News.Articles) > s.set.NewsLimit {
		if s.set.NewsOverflow == NewsOverflowSilent {
			return response{code: payfeedback.CodeArticleLimit, body: []byte{}}
		}
		return fail(payfeedback.CodeArticleLimit, "at most "+strconv.Itoa(s.set.NewsLimit)+" articles")
	}
	if u.LastInteraction.IsZero() || !c.now.Before(u.LastInteraction.Add(s.set.MessageWindow)) {
		return fail(payfeedback.CodeOutOfWindow, "the user has not interacted within "+s.set.MessageWindow.String())
	}
	raw := make([]byte, len(c.body))
	copy(raw, c.body)
	u.inbox.add(Message{AppID: appID, ToUser: m.ToUser, MsgType: m.MsgType, Raw: raw, Time: c.now}, s.set.InboxSize)
	return response{}
}
