package api

import (
	"bytes"
	"encoding/json"
	"strconv"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

type mediaRef struct {
	MediaID string `json:"media_id"`
}

// sendBody is the custom/send request. Unknown fields are ignored.
type sendBody struct {
	ToUser  string                  `json:"touser"`
	MsgType payfeedback.MessageType `json:"msgtype"`
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
// required field missing. Plain text, image and voice messages take a fast
// path (fastSend); the rest encoding/json (decodeSend).
func parseSend(body []byte) (world.Outgoing, error) {
	if m, ok := fastSend(body); ok {
		return m, nil
	}
	return decodeSend(body)
}

// decodeSend is parseSend with encoding/json, for every body.
func decodeSend(body []byte) (world.Outgoing, error) {
	var m sendBody
	if len(bytes.TrimSpace(body)) == 0 {
		return world.Outgoing{}, &world.Refused{Code: payfeedback.CodeEmptyPostData, Hint: "the body is empty"}
	}
	if err := json.Unmarshal(body, &m); err != nil {
		return world.Outgoing{}, &world.Refused{Code: payfeedback.CodeDataFormat, Hint: "body is not a JSON object of the right shape"}
	}
	out := world.Outgoing{ToUser: m.ToUser, MsgType: m.MsgType, Raw: body}
	missing := func(field string) (world.Outgoing, error) {
		return world.Outgoing{}, &world.Refused{Code: payfeedback.CodeDataFormat, Hint: "missing " + field}
	}
	switch m.MsgType {
	case payfeedback.MessageText:
		if m.Text == nil || m.Text.Content == "" {
			return missing("text.content")
		}
	case payfeedback.MessageImage:
		if m.Image == nil || m.Image.MediaID == "" {
			return missing("image.media_id")
		}
		out.Media = []string{m.Image.MediaID}
	case payfeedback.MessageVoice:
		if m.Voice == nil || m.Voice.MediaID == "" {
			return missing("voice.media_id")
		}
		out.Media = []string{m.Voice.MediaID}
	case payfeedback.MessageVideo:
		switch {
		case m.Video == nil || m.Video.MediaID == "":
			return missing("video.media_id")
		case m.Video.ThumbMediaID == "":
			return missing("video.thumb_media_id")
		}
		out.Media = []string{m.Video.MediaID, m.Video.ThumbMediaID}
	case payfeedback.MessageMusic:
		switch {
		case m.Music == nil || m.Music.MusicURL == "":
			return missing("music.musicurl")
		case m.Music.HQMusicURL == "":
			return missing("music.hqmusicurl")
		case m.Music.ThumbMediaID == "":
			return missing("music.thumb_media_id")
		}
		out.Media = []string{m.Music.ThumbMediaID}
	case payfeedback.MessageNews:
		if m.News == nil || len(m.News.Articles) == 0 {
			return missing("news.articles")
		}
		out.Articles = len(m.News.Articles)
	case "":
		return world.Outgoing{}, &world.Refused{Code: payfeedback.CodeInvalidMsgType, Hint: "msgtype missing"}
	default:
		return world.Outgoing{}, &world.Refused{Code: payfeedback.CodeInvalidMsgType, Hint: "unknown msgtype " + strconv.Quote(text.Clip(string(m.MsgType), 32))}
	}
	return out, nil
}

// send serves POST /cgi-bin/message/custom/send. Checks, in order: the
// token (41001, 40001, 42001), the customer-service message permission
// (48001), the body (44002 empty, 47001 not JSON or wrong shape, 40008
// msgtype, 47001 required field), then the world's: the user (40003),
// media ids (40007), the news limit (45008, or no answer at all), the
// interaction window (45015). A message that passes lands in the user's
// inbox.
func (h *Handler) send(c *call) response {
	m, bodyErr := parseSend(c.body)
	appID, fx, err := h.o.World.Send(c.param("access_token"), m, bodyErr, c.now)
	return h.apply(c, appID, fx, err)
}
