package console

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// message is a customer-service message as the chat draws it.
type message struct {
	world.Message
	Text         string
	MediaID      string
	ThumbMediaID string
	Title        string
	Description  string
	MusicURL     string
	HQMusicURL   string
	Articles     []payfeedback.Article
	// Raw is the body as sent, for a type the console does not draw.
	Raw string
}

// newMessage reads what a message's body says for its type.
func newMessage(m world.Message) message {
	v := message{Message: m, Raw: string(m.Raw)}
	var body struct {
		Text struct {
			Content string `json:"content"`
		} `json:"text"`
		Image payfeedback.ImageMessage `json:"image"`
		Voice payfeedback.VoiceMessage `json:"voice"`
		Video struct {
			payfeedback.VideoMessage
			Title       string `json:"title"`
			Description string `json:"description"`
		} `json:"video"`
		Music payfeedback.MusicMessage `json:"music"`
		News  payfeedback.NewsMessage  `json:"news"`
	}
	json.Unmarshal(m.Raw, &body)
	switch m.MsgType {
	case payfeedback.MessageText:
		v.Text = body.Text.Content
	case payfeedback.MessageImage:
		v.MediaID = body.Image.MediaID
	case payfeedback.MessageVoice:
		v.MediaID = body.Voice.MediaID
	case payfeedback.MessageVideo:
		v.MediaID, v.ThumbMediaID, v.Title, v.Description = body.Video.MediaID, body.Video.ThumbMediaID, body.Video.Title, body.Video.Description
	case payfeedback.MessageMusic:
		v.Title, v.Description, v.MusicURL, v.HQMusicURL, v.ThumbMediaID = body.Music.Title, body.Music.Description,
			body.Music.MusicURL, body.Music.HQMusicURL, body.Music.ThumbMediaID
	case payfeedback.MessageNews:
		v.Articles = body.News.Articles
	}
	return v
}

// bubble is one line of the chat: a message from the merchant, or the
// user's complaint.
type bubble struct {
	Time      time.Time
	FromUser  bool
	Message   *message
	Complaint *world.Complaint
	// Note is the user's act on a complaint (a reject, a confirm).
	Note string
}

type userData struct {
	User     world.User
	Known    bool
	Account  world.Account
	Chat     []bubble
	Window   time.Duration
	WindowTo time.Time
	Open     bool
}

func (h *Handler) user(w http.ResponseWriter, r *http.Request) {
	appID, openID := r.PathValue("appid"), r.PathValue("openid")
	var d userData
	found := false
	for _, a := range h.b.Accounts() {
		if a.AppID == appID {
			d.Account, found = a.Masked(), true
		}
	}
	if !found {
		h.notFound(w, r, "account "+text.Clip(appID, 64))
		return
	}
	d.User, d.Known = h.b.User(appID, openID)
	if !d.Known {
		d.User = world.User{AppID: appID, OpenID: openID}
	}
	d.Window = h.b.MessageWindow()
	if !d.User.LastInteraction.IsZero() {
		d.WindowTo = d.User.LastInteraction.Add(d.Window)
		d.Open = h.b.Now().Before(d.WindowTo)
	}
	for _, m := range h.b.InboxOf(appID, openID) {
		mv := newMessage(m)
		d.Chat = append(d.Chat, bubble{Time: m.Time, Message: &mv})
	}
	filed, _ := h.b.ComplaintsPage("", 0, func(c *world.Complaint) bool { return c.AppID == appID && c.OpenID == openID })
	for i := range filed {
		c := &filed[i]
		d.Chat = append(d.Chat, bubble{Time: c.FiledAt, FromUser: true, Complaint: c})
		if !c.RejectedAt.IsZero() {
			note := "Rejected the handling of complaint " + short(c.FeedBackID)
			if c.RejectReason != "" {
				note += ": " + c.RejectReason
			}
			d.Chat = append(d.Chat, bubble{Time: c.RejectedAt, FromUser: true, Note: note})
		}
		if c.State == world.StateConfirmed && !c.ClosedAt.IsZero() {
			d.Chat = append(d.Chat, bubble{Time: c.ClosedAt, FromUser: true, Note: "Confirmed complaint " + short(c.FeedBackID) + " resolved"})
		}
	}
	slices.SortStableFunc(d.Chat, func(a, b bubble) int { return cmp.Compare(a.Time.UnixNano(), b.Time.UnixNano()) })
	h.render(w, r, http.StatusOK, "user", &page{Title: "User " + openID, Nav: "complaints", Events: "complaint,world,clock", Data: d})
}
