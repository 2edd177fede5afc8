package world

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// Message is a customer-service message delivered to a user's inbox.
type Message struct {
	// Seq numbers the user's messages from 1.
	Seq     uint64                  `json:"seq"`
	AppID   string                  `json:"appid"`
	ToUser  string                  `json:"touser"`
	MsgType payfeedback.MessageType `json:"msgtype"`
	// Raw is the JSON body the merchant sent.
	Raw  json.RawMessage `json:"raw"`
	Time time.Time       `json:"time"`
}

// inbox keeps a user's last messages in a ring (w.mu).
type inbox struct {
	ring []Message // oldest at head once full
	head int
	next uint64 // seq of the last message delivered
}

func (b *inbox) add(m Message, size int) {
	b.next++
	m.Seq = b.next
	if len(b.ring) < size {
		b.ring = append(b.ring, m)
		return
	}
	b.ring[b.head] = m
	b.head = (b.head + 1) % len(b.ring)
}

// list returns deep copies of the messages, oldest first.
func (b *inbox) list() []Message {
	out := make([]Message, 0, len(b.ring))
	for i := range b.ring {
		m := b.ring[(b.head+i)%len(b.ring)]
		m.Raw = slices.Clone(m.Raw)
		out = append(out, m)
	}
	return out
}

// restore fills an empty inbox with msgs (oldest first), keeping their
// numbers; delivered is the last number given.
func (b *inbox) restore(msgs []Message, delivered uint64, size int) {
	if len(msgs) > size {
		msgs = msgs[len(msgs)-size:]
	}
	for _, m := range msgs {
		m.Raw = slices.Clone(m.Raw)
		b.ring = append(b.ring, m)
		b.next = max(b.next, m.Seq)
	}
	b.next = max(b.next, delivered)
}

// Outgoing is a customer-service message as the API parsed it.
type Outgoing struct {
	ToUser  string
	MsgType payfeedback.MessageType
	// Media are the media ids the message uses.
	Media []string
	// Articles is the number of articles of a news message.
	Articles int
	// Raw is the body sent; the world keeps it.
	Raw []byte
}

// Send delivers a customer-service message to the user's inbox, after the
// checks of the API in order: the token (41001, 40001, 42001), the
// customer-service message permission (48001), the body (bodyErr: the
// parser's refusal, if any), the user (40003), media ids (40007: unknown,
// expired or another account's), the news limit (45008, or no answer),
// the interaction window (45015). It returns the token's
// appid when known.
func (w *World) Send(token string, m Outgoing, bodyErr error, now time.Time) (string, events.Effects, error) {
	if err := w.lock(); err != nil {
		return "", events.Effects{}, err
	}
	defer w.mu.Unlock()
	acc, appID, err := w.auth(token, now)
	if err != nil {
		return appID, events.Effects{}, err
	}
	refused := func(err error) (string, events.Effects, error) { return appID, events.Effects{}, err }
	if acc.NoMessagePermission {
		return refused(refuse(payfeedback.CodeUnauthorized, "this account has no customer-service message permission"))
	}
	if bodyErr != nil {
		return refused(bodyErr)
	}
	if m.ToUser == "" {
		return refused(refuse(payfeedback.CodeInvalidOpenID, "touser missing"))
	}
	u, ok := w.users[userKey{appID, m.ToUser}]
	if !ok {
		return refused(refuse(payfeedback.CodeInvalidOpenID, "no such user for this appid"))
	}
	for _, id := range m.Media {
		if !w.media.valid(id, appID, now, w.cfg.MediaTTL) {
			return refused(refuse(payfeedback.CodeInvalidMediaID, "unknown or expired media_id"))
		}
	}
	if m.MsgType == payfeedback.MessageNews && m.Articles > w.cfg.NewsLimit {
		return refused(&Refused{Code: payfeedback.CodeArticleLimit, Silent: w.cfg.NewsSilent,
			Hint: "at most " + strconv.Itoa(w.cfg.NewsLimit) + " articles"})
	}
	if u.LastInteraction.IsZero() || !now.Before(u.LastInteraction.Add(w.cfg.MessageWindow)) {
		return refused(refuse(payfeedback.CodeOutOfWindow, "the user has not interacted within "+w.cfg.MessageWindow.String()))
	}
	u.inbox.add(Message{AppID: appID, ToUser: m.ToUser, MsgType: m.MsgType, Raw: m.Raw, Time: now}, w.cfg.InboxSize)
	return appID, events.Effects{Changes: []events.Change{{What: events.MessageDelivered, AppID: appID, OpenID: m.ToUser}}}, nil
}

// sortedAccounts returns the accounts by appid (w.mu held).
func (w *World) sortedAccounts() []*AccountState {
	out := make([]*AccountState, 0, len(w.accounts))
	for _, a := range w.accounts {
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b *AccountState) int { return cmp.Compare(a.AppID, b.AppID) })
	return out
}
