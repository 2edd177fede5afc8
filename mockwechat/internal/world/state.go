package world

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// State is the whole world as plain data: what Snapshot returns and
// Restore takes, and what serialises to JSON as it is. Nothing in it is
// shared with the world.
type State struct {
	Accounts []AccountState `json:"accounts"`
	Users    []UserState    `json:"users"`
	Orders   []OrderState   `json:"orders"`
	// Complaints are in filing order.
	Complaints []Complaint `json:"complaints"`
	Tokens     []Token     `json:"tokens"`
	// Media are oldest first.
	Media []Media `json:"media"`
	// IDs is the state of the generator of feedback ids, transids and
	// openids, so that a restored world goes on as the saved one would.
	IDs []byte `json:"ids"`
}

// UserState is a user and what the world keeps about it.
type UserState struct {
	User `yaml:",inline"`
	// Inbox holds the last messages delivered, oldest first; Delivered
	// counts every message ever delivered (the last Seq).
	Inbox     []Message `json:"inbox"`
	Delivered uint64    `json:"delivered"`
	// LastPushTimeStamp is the TimeStamp of the last push to the user.
	LastPushTimeStamp int64 `json:"last_push_timestamp,omitempty"`
}

// Snapshot returns a deep copy of the whole world.
func (w *World) Snapshot() State {
	w.mu.Lock()
	defer w.mu.Unlock()
	var s State
	for _, a := range w.sortedAccounts() {
		c := *a
		c.Account = a.Account.Clone()
		s.Accounts = append(s.Accounts, c)
	}
	for _, u := range w.users {
		s.Users = append(s.Users, UserState{User: u.User, Inbox: u.inbox.list(), Delivered: u.inbox.next, LastPushTimeStamp: u.lastPushTS})
	}
	slices.SortFunc(s.Users, func(a, b UserState) int {
		return cmp.Or(cmp.Compare(a.AppID, b.AppID), cmp.Compare(a.OpenID, b.OpenID))
	})
	for _, o := range w.orders {
		s.Orders = append(s.Orders, *o)
	}
	slices.SortFunc(s.Orders, func(a, b OrderState) int { return cmp.Compare(a.TransID, b.TransID) })
	for _, c := range w.filed {
		s.Complaints = append(s.Complaints, c.Clone())
	}
	for _, t := range w.tokens {
		s.Tokens = append(s.Tokens, *t)
	}
	slices.SortFunc(s.Tokens, func(a, b Token) int { return cmp.Compare(a.Value, b.Value) })
	s.Media = w.media.list()
	s.IDs, _ = w.pcg.MarshalBinary()
	return s
}

// Restore replaces the whole world by s, after checking it holds
// together, and returns the deadlines to schedule again (those of open
// complaints still ahead). The world keeps copies: s may be reused.
func (w *World) Restore(s State) (events.Effects, error) {
	pcg := &rand.PCG{}
	if len(s.IDs) > 0 {
		if err := pcg.UnmarshalBinary(s.IDs); err != nil {
			return events.Effects{}, fmt.Errorf("mockwechat: state: ids: %v", err)
		}
	} else {
		seed := rand.Uint64()
		pcg = rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)
	}
	if err := w.lock(); err != nil {
		return events.Effects{}, err
	}
	defer w.mu.Unlock()
	old := w.keep()
	w.reset(pcg)
	fx, err := w.load(s)
	if err != nil {
		w.put(old)
		return events.Effects{}, err
	}
	return fx, nil
}

// Reset replaces the world by s as Restore does, but for what a reset
// keeps: the accounts as they stand now, with the settings changed since
// s and the accounts added since (only their token state comes from s:
// tokens issued since are forgotten), and the id generator, which goes on
// where it is, so that no feedback id, transid or openid is handed out
// twice, as WeChat never hands out one twice.
func (w *World) Reset(s State) (events.Effects, error) {
	if err := w.lock(); err != nil {
		return events.Effects{}, err
	}
	defer w.mu.Unlock()
	from := make(map[string]AccountState, len(s.Accounts))
	for _, a := range s.Accounts {
		from[a.AppID] = a
	}
	accounts := make([]AccountState, 0, len(w.accounts))
	for _, a := range w.sortedAccounts() {
		st := from[a.AppID] // its token state at the start; none for an account added since
		st.Account = a.Account.Clone()
		accounts = append(accounts, st)
	}
	s.Accounts = accounts
	old := w.keep()
	w.reset(w.pcg)
	fx, err := w.load(s)
	if err != nil {
		w.put(old)
		return events.Effects{}, err
	}
	return fx, nil
}

// load fills the empty world from s (w.mu held).
func (w *World) load(s State) (events.Effects, error) {
	var fx events.Effects
	for _, a := range s.Accounts {
		if err := a.Validate(); err != nil {
			return fx, fmt.Errorf("mockwechat: state: %w", err)
		}
		c := a
		c.Account = a.Account.Clone()
		w.accounts[a.AppID] = &c
	}
	for _, u := range s.Users {
		if _, ok := w.accounts[u.AppID]; !ok {
			return fx, fmt.Errorf("mockwechat: state: user %s of unknown account %s", text.Clip(u.OpenID, 64), text.Clip(u.AppID, 64))
		}
		rec := w.user(u.AppID, u.OpenID)
		rec.User, rec.lastPushTS = u.User, u.LastPushTimeStamp
		rec.inbox.restore(u.Inbox, u.Delivered, w.cfg.InboxSize)
	}
	for _, o := range s.Orders {
		c := o
		w.orders[o.TransID] = &c
	}
	for _, c := range s.Complaints {
		if _, ok := w.accounts[c.AppID]; !ok {
			return fx, fmt.Errorf("mockwechat: state: complaint %s of unknown account %s", text.Clip(c.FeedBackID, 64), text.Clip(c.AppID, 64))
		}
		rec := &complaint{Complaint: c.Clone(), seq: len(w.filed) + 1}
		w.complaints[c.FeedBackID] = rec
		w.filed = append(w.filed, rec)
		switch {
		case rec.Arbitration != nil && rec.Arbitration.State == ArbitrationAwaitingEvidence:
			fx.Timers = append(fx.Timers, events.Timer{Key: evidenceKey(c.FeedBackID), At: rec.Arbitration.EvidenceDeadline})
		case rec.Arbitration == nil && !rec.Overdue && rec.State != StateConfirmed:
			fx.Timers = append(fx.Timers, events.Timer{Key: resolveKey(c.FeedBackID), At: rec.Deadline})
		}
	}
	for _, t := range s.Tokens {
		c := t
		w.tokens[t.Value] = &c
	}
	for _, m := range s.Media {
		w.media.add(m)
	}
	return fx, nil
}

// saved is the world's content, to put back when a Restore fails.
type saved struct {
	accounts   map[string]*AccountState
	users      map[userKey]*user
	orders     map[string]*OrderState
	complaints map[string]*complaint
	filed      []*complaint
	tokens     map[string]*Token
	media      mediaStore
	pcg        *rand.PCG
}

func (w *World) keep() saved {
	return saved{w.accounts, w.users, w.orders, w.complaints, w.filed, w.tokens, w.media, w.pcg}
}

func (w *World) put(s saved) {
	w.accounts, w.users, w.orders, w.complaints, w.filed, w.tokens, w.media = s.accounts, s.users, s.orders, s.complaints, s.filed, s.tokens, s.media
	w.pcg, w.rng = s.pcg, rand.New(s.pcg)
}
