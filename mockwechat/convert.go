package mockwechat

import (
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// The conversions between the fake's public vocabulary (types.go,
// events.go, deliveries.go, calls.go, faults.go, scenario_types.go) and
// the types of its parts. Each is a field-by-field copy, the one place
// where the two meet: convert_test.go fails when a field is added on
// either side and not converted here. Slices are handed over, not copied:
// what the parts return is already a copy of their own.

// The methods the public types take from the parts' types, through a
// conversion: one implementation of each rule.

// Validate checks the account is complete (appid, secret, paySignKey) and
// its reasons and solutions fit MaxChoices and MaxChoiceLen.
func (a Account) Validate() error { return accountToWorld(a).Validate() }

// Open reports whether the complaint still needs someone to act: it is
// not confirmed, and not arbitrated.
func (c Complaint) Open() bool { return complaintToWorld(c).Open() }

// String names the state: "awaiting merchant evidence", ….
func (a ArbitrationState) String() string { return arbitrationStateToWorld(a).String() }

// String renders the event as one line of a live log:
//
//	--> push request 1086… to http://127.0.0.1:8000/payfeedback (attempt 1/16)
//	<-- 401 "AppSignature does not match" in 2 ms; next attempt in 15s
//	API GET /payfeedback/update errcode=0 openid=o-demo feedbackid=1086… 1 ms
func (e Event) String() string { return eventToFeed(e).String() }

// Complaint reports whether the change is a complaint's.
func (c Change) Complaint() bool { return changeToFeed(c).Complaint() }

// String renders the change for a live log.
func (c Change) String() string { return changeToFeed(c).String() }

// Done reports whether the delivery is finished: delivered or failed.
func (d Delivery) Done() bool { return deliveryToPush(d).Done() }

// MarshalJSON writes the call as the admin API does: the body and the
// answer as text.
func (c Call) MarshalJSON() ([]byte, error) { return callToLog(c).MarshalJSON() }

// UnmarshalJSON reads what MarshalJSON writes.
func (c *Call) UnmarshalJSON(b []byte) error {
	var lc calllog.Call
	if err := lc.UnmarshalJSON(b); err != nil {
		return err
	}
	*c = callFromLog(lc)
	return nil
}

// Error says what is wrong and where: "mockwechat: scenario FILE:LINE:COL:
// PATH: MSG".
func (e *ScenarioError) Error() string { return scenarioErrorToParse(e).Error() }

// convertAll converts every element of in; nil stays nil.
func convertAll[A, B any](in []A, f func(A) B) []B {
	if in == nil {
		return nil
	}
	out := make([]B, len(in))
	for i, a := range in {
		out[i] = f(a)
	}
	return out
}

// convertPtr converts *p; nil stays nil.
func convertPtr[A, B any](p *A, f func(A) B) *B {
	if p == nil {
		return nil
	}
	b := f(*p)
	return &b
}

// The world.

func accountToWorld(a Account) world.Account {
	return world.Account{AppID: a.AppID, Secret: a.Secret, PaySignKey: a.PaySignKey, NotifyURL: a.NotifyURL,
		NoPayPermission: a.NoPayPermission, NoMessagePermission: a.NoMessagePermission,
		TokenCallsPerDay: a.TokenCallsPerDay, Reasons: a.Reasons, Solutions: a.Solutions}
}

func accountFromWorld(a world.Account) Account {
	return Account{AppID: a.AppID, Secret: a.Secret, PaySignKey: a.PaySignKey, NotifyURL: a.NotifyURL,
		NoPayPermission: a.NoPayPermission, NoMessagePermission: a.NoMessagePermission,
		TokenCallsPerDay: a.TokenCallsPerDay, Reasons: a.Reasons, Solutions: a.Solutions}
}

func accountPatchToWorld(p AccountPatch) world.AccountPatch {
	return world.AccountPatch{NotifyURL: p.NotifyURL, PayPermission: p.PayPermission,
		MessagePermission: p.MessagePermission, Reasons: p.Reasons, Solutions: p.Solutions}
}

func userToWorld(u User) world.User {
	return world.User{AppID: u.AppID, OpenID: u.OpenID, LastInteraction: u.LastInteraction,
		LastInteractionKind: world.InteractionKind(u.LastInteractionKind)}
}

func userFromWorld(u world.User) User {
	return User{AppID: u.AppID, OpenID: u.OpenID, LastInteraction: u.LastInteraction,
		LastInteractionKind: InteractionKind(u.LastInteractionKind)}
}

func interactionToWorld(in Interaction) world.Interaction {
	return world.Interaction{AppID: in.AppID, OpenID: in.OpenID, Kind: world.InteractionKind(in.Kind), At: in.At}
}

func orderToWorld(o Order) world.Order {
	return world.Order{TransID: o.TransID, AppID: o.AppID, OpenID: o.OpenID, Goods: o.Goods, PaidAt: o.PaidAt,
		ShippedAt: o.ShippedAt, DeliverStatus: o.DeliverStatus, DeliverMsg: o.DeliverMsg, OutTradeNo: o.OutTradeNo}
}

func orderFromWorld(o world.Order) Order {
	return Order{TransID: o.TransID, AppID: o.AppID, OpenID: o.OpenID, Goods: o.Goods, PaidAt: o.PaidAt,
		ShippedAt: o.ShippedAt, DeliverStatus: o.DeliverStatus, DeliverMsg: o.DeliverMsg, OutTradeNo: o.OutTradeNo}
}

func messageToWorld(m Message) world.Message {
	return world.Message{Seq: m.Seq, AppID: m.AppID, ToUser: m.ToUser, MsgType: m.MsgType, Raw: m.Raw, Time: m.Time}
}

func messageFromWorld(m world.Message) Message {
	return Message{Seq: m.Seq, AppID: m.AppID, ToUser: m.ToUser, MsgType: m.MsgType, Raw: m.Raw, Time: m.Time}
}

func mediaToWorld(m Media) world.Media {
	return world.Media{MediaID: m.MediaID, AppID: m.AppID, Type: m.Type, Size: m.Size, Created: m.Created}
}

func mediaFromWorld(m world.Media) Media {
	return Media{MediaID: m.MediaID, AppID: m.AppID, Type: m.Type, Size: m.Size, Created: m.Created}
}

func complaintSpecToWorld(c ComplaintSpec) world.ComplaintSpec {
	return world.ComplaintSpec{AppID: c.AppID, OpenID: c.OpenID, TransID: c.TransID, FeedBackID: c.FeedBackID,
		Reason: c.Reason, Solution: c.Solution, ExtInfo: c.ExtInfo, PicURLs: c.PicURLs, Goods: c.Goods,
		Shipped: c.Shipped, PaidAt: c.PaidAt, NoOrder: c.NoOrder}
}

func complaintToWorld(c Complaint) world.Complaint {
	return world.Complaint{FeedBackID: c.FeedBackID, AppID: c.AppID, OpenID: c.OpenID, TransID: c.TransID,
		State: world.ComplaintState(c.State), Overdue: c.Overdue, FiledAt: c.FiledAt, Deadline: c.Deadline,
		Shipping: c.Shipping, Goods: c.Goods, Reason: c.Reason, Solution: c.Solution, ExtInfo: c.ExtInfo,
		PicURLs: c.PicURLs, HandledAt: c.HandledAt, ClosedAt: c.ClosedAt, RejectedAt: c.RejectedAt,
		RejectReason: c.RejectReason, Updates: c.Updates, Arbitration: convertPtr(c.Arbitration, arbitrationToWorld)}
}

func complaintFromWorld(c world.Complaint) Complaint {
	return Complaint{FeedBackID: c.FeedBackID, AppID: c.AppID, OpenID: c.OpenID, TransID: c.TransID,
		State: ComplaintState(c.State), Overdue: c.Overdue, FiledAt: c.FiledAt, Deadline: c.Deadline,
		Shipping: c.Shipping, Goods: c.Goods, Reason: c.Reason, Solution: c.Solution, ExtInfo: c.ExtInfo,
		PicURLs: c.PicURLs, HandledAt: c.HandledAt, ClosedAt: c.ClosedAt, RejectedAt: c.RejectedAt,
		RejectReason: c.RejectReason, Updates: c.Updates, Arbitration: convertPtr(c.Arbitration, arbitrationFromWorld)}
}

func arbitrationToWorld(a Arbitration) world.Arbitration {
	return world.Arbitration{State: arbitrationStateToWorld(a.State), RequestedAt: a.RequestedAt,
		EvidenceDeadline: a.EvidenceDeadline, Note: a.Note, PicURLs: a.PicURLs, EvidenceAt: a.EvidenceAt, DecidedAt: a.DecidedAt}
}

func arbitrationFromWorld(a world.Arbitration) Arbitration {
	return Arbitration{State: ArbitrationState(a.State), RequestedAt: a.RequestedAt,
		EvidenceDeadline: a.EvidenceDeadline, Note: a.Note, PicURLs: a.PicURLs, EvidenceAt: a.EvidenceAt, DecidedAt: a.DecidedAt}
}

func arbitrationStateToWorld(a ArbitrationState) world.ArbitrationState {
	return world.ArbitrationState(a)
}

func accountStateToWorld(a AccountState) world.AccountState {
	return world.AccountState{Account: accountToWorld(a.Account), Quota: quotaToWorld(a.Quota), Token: a.Token, PreviousToken: a.PreviousToken}
}

func accountStateFromWorld(a world.AccountState) AccountState {
	return AccountState{Account: accountFromWorld(a.Account), Quota: quotaFromWorld(a.Quota), Token: a.Token, PreviousToken: a.PreviousToken}
}

func quotaToWorld(q Quota) world.Quota   { return world.Quota{Day: q.Day, Used: q.Used} }
func quotaFromWorld(q world.Quota) Quota { return Quota{Day: q.Day, Used: q.Used} }

func userStateToWorld(u UserState) world.UserState {
	return world.UserState{User: userToWorld(u.User), Inbox: convertAll(u.Inbox, messageToWorld), Delivered: u.Delivered,
		LastPushTimeStamp: u.LastPushTimeStamp}
}

func userStateFromWorld(u world.UserState) UserState {
	return UserState{User: userFromWorld(u.User), Inbox: convertAll(u.Inbox, messageFromWorld), Delivered: u.Delivered,
		LastPushTimeStamp: u.LastPushTimeStamp}
}

func orderStateToWorld(o OrderState) world.OrderState {
	return world.OrderState{Order: orderToWorld(o.Order), OpenComplaint: o.OpenComplaint}
}

func orderStateFromWorld(o world.OrderState) OrderState {
	return OrderState{Order: orderFromWorld(o.Order), OpenComplaint: o.OpenComplaint}
}

func tokenToWorld(t Token) world.Token {
	return world.Token{Value: t.Value, AppID: t.AppID, Expires: t.Expires, SupersededAt: t.SupersededAt}
}

func tokenFromWorld(t world.Token) Token {
	return Token{Value: t.Value, AppID: t.AppID, Expires: t.Expires, SupersededAt: t.SupersededAt}
}

// The push engine's delivery log and reports.

func deliveryRefToPush(r DeliveryRef) push.Ref {
	return push.Ref{ID: r.ID, AppID: r.AppID, OpenID: r.OpenID, FeedBackID: r.FeedBackID, MsgType: r.MsgType, URL: r.URL}
}

func deliveryRefFromPush(r push.Ref) DeliveryRef {
	return DeliveryRef{ID: r.ID, AppID: r.AppID, OpenID: r.OpenID, FeedBackID: r.FeedBackID, MsgType: r.MsgType, URL: r.URL}
}

func deliveryToPush(d Delivery) push.Delivery {
	return push.Delivery{Ref: deliveryRefToPush(d.DeliveryRef), Created: d.Created, Attempts: convertAll(d.Attempts, attemptToPush),
		Delivered: d.Delivered, Failed: d.Failed, NextAttempt: d.NextAttempt, Faults: d.Faults}
}

func deliveryFromPush(d push.Delivery) Delivery {
	return Delivery{DeliveryRef: deliveryRefFromPush(d.Ref), Created: d.Created, Attempts: convertAll(d.Attempts, attemptFromPush),
		Delivered: d.Delivered, Failed: d.Failed, NextAttempt: d.NextAttempt, Faults: d.Faults}
}

func attemptToPush(a Attempt) push.Attempt {
	return push.Attempt{Time: a.Time, TimeStamp: a.TimeStamp, Status: a.Status, Latency: a.Latency, Response: a.Response,
		Err: a.Err, Fault: a.Fault, OK: a.OK, Body: a.Body}
}

func attemptFromPush(a push.Attempt) Attempt {
	return Attempt{Time: a.Time, TimeStamp: a.TimeStamp, Status: a.Status, Latency: a.Latency, Response: a.Response,
		Err: a.Err, Fault: a.Fault, OK: a.OK, Body: a.Body}
}

func pushReportToPush(r PushReport) push.Report {
	return push.Report{Ref: deliveryRefToPush(r.DeliveryRef), Phase: push.Phase(r.Phase), Number: r.Number, Of: r.Of,
		Fault: r.Fault, Attempt: convertPtr(r.Attempt, attemptToPush), Delivered: r.Delivered, Failed: r.Failed,
		NextAttempt: r.NextAttempt}
}

func pushReportFromPush(r push.Report) PushReport {
	return PushReport{DeliveryRef: deliveryRefFromPush(r.Ref), Phase: PushPhase(r.Phase), Number: r.Number, Of: r.Of,
		Fault: r.Fault, Attempt: convertPtr(r.Attempt, attemptFromPush), Delivered: r.Delivered, Failed: r.Failed,
		NextAttempt: r.NextAttempt}
}

// The call log.

func callToLog(c Call) calllog.Call {
	return calllog.Call{Seq: c.Seq, Time: c.Time, Endpoint: c.Endpoint, Method: c.Method, AppID: c.AppID, Query: c.Query,
		Body: c.Body, ErrCode: c.ErrCode, Answer: c.Answer, Status: c.Status, Fault: c.Fault, Latency: c.Latency,
		Truncated: c.Truncated, MchID: c.MchID, Code: c.Code, Warnings: c.Warnings}
}

func callFromLog(c calllog.Call) Call {
	return Call{Seq: c.Seq, Time: c.Time, Endpoint: c.Endpoint, Method: c.Method, AppID: c.AppID, Query: c.Query,
		Body: c.Body, ErrCode: c.ErrCode, Answer: c.Answer, Status: c.Status, Fault: c.Fault, Latency: c.Latency,
		Truncated: c.Truncated, MchID: c.MchID, Code: c.Code, Warnings: c.Warnings}
}

// matchCallLog is match over the call log's calls.
func matchCallLog(match func(Call) bool) func(calllog.Call) bool {
	if match == nil {
		return nil
	}
	return func(c calllog.Call) bool { return match(callFromLog(c)) }
}

// Faults.

func faultToSet(f Fault) fault.Fault {
	return fault.Fault{ID: f.ID, AppID: f.AppID, Endpoint: f.Endpoint, MsgType: f.MsgType, Count: f.Count,
		ErrCode: f.ErrCode, HTTPStatus: f.HTTPStatus, Delay: f.Delay, Drop: f.Drop, Duplicate: f.Duplicate,
		OutOfOrder: f.OutOfOrder, TamperSignature: f.TamperSignature, TamperFields: f.TamperFields, MchID: f.MchID,
		ActionType: f.ActionType, TamperBody: f.TamperBody, Stale: f.Stale, UnknownMembers: f.UnknownMembers,
		SendActionType: f.SendActionType, OtherKey: f.OtherKey, Code: f.Code, Operation: f.Operation}
}

func faultFromSet(f fault.Fault) Fault {
	return Fault{ID: f.ID, AppID: f.AppID, Endpoint: f.Endpoint, MsgType: f.MsgType, Count: f.Count,
		ErrCode: f.ErrCode, HTTPStatus: f.HTTPStatus, Delay: f.Delay, Drop: f.Drop, Duplicate: f.Duplicate,
		OutOfOrder: f.OutOfOrder, TamperSignature: f.TamperSignature, TamperFields: f.TamperFields, MchID: f.MchID,
		ActionType: f.ActionType, TamperBody: f.TamperBody, Stale: f.Stale, UnknownMembers: f.UnknownMembers,
		SendActionType: f.SendActionType, OtherKey: f.OtherKey, Code: f.Code, Operation: f.Operation}
}

// The event feed.

func eventToFeed(e Event) events.Event {
	return events.Event{Seq: e.Seq, Time: e.Time, Kind: events.Kind(e.Kind), Change: convertPtr(e.Change, changeToFeed),
		Push: convertPtr(e.Push, pushReportToPush), Call: convertPtr(e.Call, callToLog), Clock: convertPtr(e.Clock, clockMoveToFeed),
		Pay: convertPtr(e.Pay, payChangeToWorld), PayCallback: convertPtr(e.PayCallback, payCallbackReportToPush)}
}

func eventFromFeed(e events.Event) Event {
	return Event{Seq: e.Seq, Time: e.Time, Kind: EventKind(e.Kind), Change: convertPtr(e.Change, changeFromFeed),
		Push: convertPtr(e.Push, pushReportFromPush), Call: convertPtr(e.Call, callFromLog), Clock: convertPtr(e.Clock, clockMoveFromFeed),
		Pay: convertPtr(e.Pay, payChangeFromWorld), PayCallback: convertPtr(e.PayCallback, payCallbackReportFromPush)}
}

func changeToFeed(c Change) events.Change {
	return events.Change{What: events.What(c.What), AppID: c.AppID, OpenID: c.OpenID, TransID: c.TransID,
		FeedBackID: c.FeedBackID, State: c.State}
}

func changeFromFeed(c events.Change) Change {
	return Change{What: ChangeKind(c.What), AppID: c.AppID, OpenID: c.OpenID, TransID: c.TransID,
		FeedBackID: c.FeedBackID, State: c.State}
}

func payChangeToWorld(c PayChange) payworld.Change {
	return payworld.Change{What: payworld.What(c.What), MchID: c.MchID, ComplaintID: c.ComplaintID, State: c.State, Operate: c.Operate}
}

func payChangeFromWorld(c payworld.Change) PayChange {
	return PayChange{What: PayChangeKind(c.What), MchID: c.MchID, ComplaintID: c.ComplaintID, State: c.State, Operate: c.Operate}
}

func clockMoveToFeed(m ClockMove) events.ClockMove   { return events.ClockMove{From: m.From, To: m.To} }
func clockMoveFromFeed(m events.ClockMove) ClockMove { return ClockMove{From: m.From, To: m.To} }
