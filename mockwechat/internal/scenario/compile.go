package scenario

import (
	"cmp"
	"container/heap"
	"encoding/hex"
	"fmt"
	"slices"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/api"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// Entry is one thing the scenario makes happen at a time: a complaint
// filed or an action taken, of V1.5 (Apply) or of Complaints 2.0
// (PayComplaint, PayAct: ApplyPay). Path says where it is in the scenario
// ("complaints[2]", "pay.acts[0]").
type Entry struct {
	At           time.Time
	Path         string
	Complaint    *Complaint
	Action       *Action
	PayComplaint *PayComplaint
	PayAct       *PayAct
}

// Pay reports whether the entry is of Complaints 2.0.
func (e Entry) Pay() bool { return e.PayComplaint != nil || e.PayAct != nil }

// Apply makes the entry happen in w now (the world's clock).
func (e Entry) Apply(w *world.World) (events.Effects, error) {
	if c := e.Complaint; c != nil {
		_, fx, err := w.File(c.spec())
		return fx, err
	}
	a := e.Action
	var fx events.Effects
	var err error
	switch a.Do {
	case DoHandle:
		_, fx, err = w.Handle(a.FeedBackID)
	case DoConfirm:
		_, fx, err = w.Confirm(a.FeedBackID)
	case DoReject:
		_, fx, err = w.Reject(a.FeedBackID, a.Reason)
	case DoRequestArbitration:
		_, fx, err = w.RequestArbitration(a.FeedBackID)
	case DoSubmitEvidence:
		_, fx, err = w.SubmitEvidence(a.FeedBackID, a.Note, a.Pictures)
	case DoArbitrate:
		_, fx, err = w.Arbitrate(a.FeedBackID, a.For == "user")
	default:
		err = fmt.Errorf("unknown action %q", a.Do)
	}
	return fx, err
}

// Compiled is a scenario made ready for a fake: the world as it stands at
// the clock's start, and what is still to come.
type Compiled struct {
	Start time.Time
	State world.State
	// Future are the entries after Start, in time order.
	Future []Entry
	Faults []fault.Fault
	// Pay is the Complaints 2.0 part (CompilePay); nil when the scenario
	// has none.
	Pay *PayCompiled
}

// Check checks what a scenario's entries refer to among themselves: the
// accounts are complete and given once, feedback ids are unique, actions
// name a complaint of the scenario and give what their move needs, and
// faults make sense. Parse calls it.
func (sc *Scenario) Check() error {
	seen := map[string]bool{}
	for i, a := range sc.Accounts {
		if err := a.Validate(); err != nil {
			return sc.errorf(fmt.Sprintf("accounts[%d]", i), "%v", err)
		}
		if seen[a.AppID] {
			return sc.errorf(fmt.Sprintf("accounts[%d].appid", i), "account %s is given twice", a.AppID)
		}
		seen[a.AppID] = true
	}
	ids := map[string]bool{}
	for i, c := range sc.Complaints {
		if c.FeedBackID == "" {
			if c.State != "" {
				return sc.errorf(fmt.Sprintf("complaints[%d]", i), "a complaint with a state needs its feedback_id")
			}
			continue
		}
		if ids[c.FeedBackID] {
			return sc.errorf(fmt.Sprintf("complaints[%d].feedback_id", i), "feedback id %s is given twice", c.FeedBackID)
		}
		ids[c.FeedBackID] = true
	}
	for i, a := range sc.Actions {
		path := fmt.Sprintf("actions[%d]", i)
		switch {
		case !ids[a.FeedBackID]:
			return sc.errorf(path+".feedback_id", "no complaint of the scenario has feedback id %s: give the complaint a feedback_id and name it here", a.FeedBackID)
		case a.Do == DoArbitrate && a.For != "user" && a.For != "merchant":
			return sc.errorf(path, `arbitrate needs for: user or for: merchant`)
		case a.Do == DoReject && a.For != "", a.Do == DoArbitrate && a.Reason != "":
			return sc.errorf(path, "%s takes no %s", a.Do, map[bool]string{true: "for", false: "reason"}[a.Do == DoReject])
		}
	}
	set := fault.NewSet(api.Paths)
	for i, f := range sc.Faults {
		if _, err := set.Add(f); err != nil {
			return sc.errorf(fmt.Sprintf("faults[%d]", i), "%v", err)
		}
	}
	if _, err := hex.DecodeString(sc.IDs); err != nil {
		return sc.errorf("ids", "not hexadecimal: %v", err)
	}
	return sc.checkPay()
}

// errorf is an error at path, placed in the file the scenario came from.
func (sc *Scenario) errorf(path, format string, args ...any) error {
	return sc.src.place(errorf(path, format, args...))
}

// Compile makes the scenario ready for a fake whose world has cfg's rules
// and the accounts extra (the fake's options) besides the scenario's: it
// builds the world as it stands at the clock's start (zero: now), playing
// the complaints and actions at or before it in time order without
// pushing anything, and returns the rest for later.
func (sc *Scenario) Compile(cfg world.Config, extra []world.Account, now time.Time) (Compiled, error) {
	start := sc.Clock.Start
	if start.IsZero() {
		start = now
	}
	clock := start
	w := world.New(cfg, func() time.Time { return clock })
	st := w.Snapshot() // the generator seeded by cfg.Seed
	if sc.IDs != "" {
		b, err := hex.DecodeString(sc.IDs)
		if err != nil {
			return Compiled{}, sc.errorf("ids", "not hexadecimal: %v", err)
		}
		st.IDs = b
	}
	only := ""
	for _, a := range extra {
		st.Accounts = append(st.Accounts, world.AccountState{Account: a.Clone()})
	}
	for i, a := range sc.Accounts {
		if slices.ContainsFunc(extra, func(e world.Account) bool { return e.AppID == a.AppID }) {
			return Compiled{}, sc.errorf(fmt.Sprintf("accounts[%d].appid", i), "account %s is also in the fake's options: give it once", a.AppID)
		}
		c := a
		c.Account = a.Account.Clone()
		st.Accounts = append(st.Accounts, c)
	}
	if len(st.Accounts) == 1 {
		only = st.Accounts[0].AppID
	}
	appID := func(path, id string) (string, error) {
		switch {
		case id == "" && only == "":
			return "", sc.errorf(path, "no appid, and the fake has %d accounts: say which", len(st.Accounts))
		case id == "":
			return only, nil
		case !slices.ContainsFunc(st.Accounts, func(a world.AccountState) bool { return a.AppID == id }):
			return "", sc.errorf(path+".appid", "no account %s: add it under accounts", id)
		}
		return id, nil
	}
	var err error
	for i, u := range sc.Users {
		if u.AppID, err = appID(fmt.Sprintf("users[%d]", i), u.AppID); err != nil {
			return Compiled{}, err
		}
		st.Users = append(st.Users, u)
	}
	for i, o := range sc.Orders {
		if o.AppID, err = appID(fmt.Sprintf("orders[%d]", i), o.AppID); err != nil {
			return Compiled{}, err
		}
		st.Orders = append(st.Orders, o)
	}
	var entries []Entry
	for i, c := range sc.Complaints {
		path := fmt.Sprintf("complaints[%d]", i)
		if c.AppID, err = appID(path, c.AppID); err != nil {
			return Compiled{}, err
		}
		if c.State == "" {
			entries = append(entries, Entry{At: c.At, Path: path, Complaint: &c})
			continue
		}
		st.Complaints = append(st.Complaints, c.world())
	}
	for i, a := range sc.Actions {
		entries = append(entries, Entry{At: a.At, Path: fmt.Sprintf("actions[%d]", i), Action: &a})
	}
	st.Tokens, st.Media = slices.Clone(sc.Tokens), slices.Clone(sc.Media)
	fx, err := w.Restore(st)
	if err != nil {
		return Compiled{}, sc.errorf("", "%v", err)
	}
	slices.SortStableFunc(entries, func(a, b Entry) int { return a.At.Compare(b.At) })

	// The past: entries at or before the start, deadlines falling due
	// between them, nothing pushed. The deadlines wait in a heap, earliest
	// first; one rescheduled or cancelled since it was pushed is skipped
	// when it comes up (timers holds each key's current time).
	timers := map[events.TimerKey]time.Time{}
	var due dueHeap
	keep := func(fx events.Effects) {
		for _, k := range fx.Cancels {
			delete(timers, k)
		}
		for _, t := range fx.Timers {
			timers[t.Key] = t.At
			heap.Push(&due, t)
		}
	}
	fireDue := func(by time.Time) {
		for len(due) > 0 && !due[0].At.After(by) {
			t := heap.Pop(&due).(events.Timer)
			if at, ok := timers[t.Key]; !ok || !at.Equal(t.At) {
				continue
			}
			clock = later(clock, t.At)
			delete(timers, t.Key)
			keep(w.Fire(t.Key))
		}
	}
	keep(fx)
	if len(entries) > 0 && entries[0].At.Before(clock) {
		clock = entries[0].At
	}
	future := entries[:0:0]
	for _, e := range entries {
		if e.At.After(start) {
			future = append(future, e)
			continue
		}
		fireDue(e.At)
		clock = later(clock, e.At)
		efx, err := e.Apply(w)
		if err != nil {
			return Compiled{}, sc.errorf(e.Path, "at %s: %v", e.At.Format(time.RFC3339), err)
		}
		keep(efx)
	}
	fireDue(start)
	clock = start
	out := w.Snapshot()
	// Entries played in the past count as the users' interactions; a later
	// last_interaction given for a user stands.
	type userKey struct{ appID, openID string }
	given := make(map[userKey]time.Time, len(st.Users))
	for _, u := range st.Users {
		k := userKey{u.AppID, u.OpenID}
		given[k] = later(given[k], u.LastInteraction)
	}
	for i, u := range out.Users {
		if t := given[userKey{u.AppID, u.OpenID}]; t.After(u.LastInteraction) {
			out.Users[i].LastInteraction = t
		}
	}
	return Compiled{Start: start, State: out, Future: future, Faults: slices.Clone(sc.Faults)}, nil
}

func later(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func keyLess(a, b events.TimerKey) bool {
	return cmp.Or(cmp.Compare(a.FeedBackID, b.FeedBackID), cmp.Compare(a.Deadline, b.Deadline)) < 0
}

// dueHeap orders deadlines by time, then by key, so that deadlines
// falling due together fire in the same order every time.
type dueHeap []events.Timer

func (h dueHeap) Len() int { return len(h) }
func (h dueHeap) Less(i, j int) bool {
	return h[i].At.Before(h[j].At) || h[i].At.Equal(h[j].At) && keyLess(h[i].Key, h[j].Key)
}
func (h dueHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *dueHeap) Push(x any)   { *h = append(*h, x.(events.Timer)) }
func (h *dueHeap) Pop() any {
	old := *h
	t := old[len(old)-1]
	*h = old[:len(old)-1]
	return t
}

// spec is what the user files.
func (c *Complaint) spec() world.ComplaintSpec {
	return world.ComplaintSpec{AppID: c.AppID, OpenID: c.OpenID, TransID: c.TransID, FeedBackID: c.FeedBackID,
		Reason: c.Reason, Solution: c.Solution, ExtInfo: c.ExtInfo, PicURLs: slices.Clone(c.Pictures),
		Goods: c.Goods, PaidAt: c.PaidAt, NoOrder: c.NoOrder}
}

// world is a complaint with a state as the world keeps it; a missing
// deadline is the protocol's for an order paid at PaidAt (or At), not
// shipped.
func (c *Complaint) world() world.Complaint {
	out := world.Complaint{FeedBackID: c.FeedBackID, AppID: c.AppID, OpenID: c.OpenID, TransID: c.TransID,
		State: c.State, Overdue: c.Overdue, FiledAt: c.At, Deadline: c.Deadline, Shipping: c.Shipping, Goods: c.Goods,
		Reason: c.Reason, Solution: c.Solution, ExtInfo: c.ExtInfo, PicURLs: slices.Clone(c.Pictures),
		HandledAt: c.HandledAt, ClosedAt: c.ClosedAt, RejectedAt: c.RejectedAt, RejectReason: c.RejectReason,
		Updates: c.Updates}
	if c.Arbitration != nil {
		a := *c.Arbitration
		a.PicURLs = slices.Clone(a.PicURLs)
		out.Arbitration = &a
	}
	paid := c.PaidAt
	if paid.IsZero() {
		paid = c.At
	}
	if out.Deadline.IsZero() {
		out.Deadline = payfeedback.ResolveBy(c.Goods, paid, time.Time{}, c.At)
	}
	if out.Shipping == "" {
		out.Shipping = payfeedback.ShippingStateAt(c.Goods, paid, time.Time{}, c.At).String()
	}
	return out
}

// fromWorld is a complaint of the world as a scenario writes it.
func fromWorld(wc world.Complaint) Complaint {
	c := Complaint{At: wc.FiledAt, AppID: wc.AppID, OpenID: wc.OpenID, TransID: wc.TransID, FeedBackID: wc.FeedBackID,
		Reason: wc.Reason, Solution: wc.Solution, ExtInfo: wc.ExtInfo, Pictures: slices.Clone(wc.PicURLs), Goods: wc.Goods,
		State: wc.State, Overdue: wc.Overdue, Deadline: wc.Deadline, Shipping: wc.Shipping, HandledAt: wc.HandledAt,
		ClosedAt: wc.ClosedAt, RejectedAt: wc.RejectedAt, RejectReason: wc.RejectReason, Updates: wc.Updates}
	if wc.Arbitration != nil {
		a := *wc.Arbitration
		a.PicURLs = slices.Clone(a.PicURLs)
		c.Arbitration = &a
	}
	return c
}

// FromState writes a world as a scenario starting at now: the world's
// state, the entries still to come and the faults still active.
func FromState(st world.State, now time.Time, future []Entry, faults []fault.Fault) *Scenario {
	sc := &Scenario{Clock: Clock{Start: now}, Accounts: st.Accounts, Users: st.Users, Orders: st.Orders,
		Tokens: st.Tokens, Media: st.Media, Faults: slices.Clone(faults), IDs: hex.EncodeToString(st.IDs)}
	for _, c := range st.Complaints {
		sc.Complaints = append(sc.Complaints, fromWorld(c))
	}
	for _, e := range future {
		switch {
		case e.Complaint != nil:
			c := *e.Complaint
			c.Pictures = slices.Clone(c.Pictures)
			sc.Complaints = append(sc.Complaints, c)
		case e.Action != nil:
			a := *e.Action
			a.Pictures = slices.Clone(a.Pictures)
			sc.Actions = append(sc.Actions, a)
		case e.PayComplaint != nil:
			if sc.Pay == nil {
				sc.Pay = &Pay{}
			}
			sc.Pay.Complaints = append(sc.Pay.Complaints, e.PayComplaint.clone())
		case e.PayAct != nil:
			if sc.Pay == nil {
				sc.Pay = &Pay{}
			}
			sc.Pay.Acts = append(sc.Pay.Acts, e.PayAct.clone())
		}
	}
	return sc
}

// OmitSecrets removes the secrets from sc, which must be its caller's
// own (a snapshot, say): each account's secret and paysignkey, written
// empty, the access tokens issued (the accounts' token and
// previous_token, and tokens), and the Complaints 2.0 merchants' APIv3
// keys, written empty (the fake's own merchant takes its identity's when
// the snapshot is restored; another's must be given back).
func OmitSecrets(sc *Scenario) {
	for i := range sc.Accounts {
		a := &sc.Accounts[i]
		a.Secret, a.PaySignKey, a.Token, a.PreviousToken = "", "", "", ""
	}
	sc.Tokens = nil
	if sc.Pay != nil {
		for i := range sc.Pay.Merchants {
			sc.Pay.Merchants[i].APIv3Key = ""
		}
	}
}
