package mockwechat

import (
	"errors"

	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/scenario"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// The conversions of scenarios and snapshots between the public types and
// the scenario package's (convert.go has the others).

// scenarioToParse is sc as the scenario package takes it. A scenario that
// ParseScenario read keeps its file, so that the errors found when it is
// compiled name their line and column.
func scenarioToParse(sc *Scenario) *scenario.Scenario {
	if sc == nil {
		return nil
	}
	var out scenario.Scenario
	if sc.parsed != nil {
		out = *sc.parsed
	}
	out.Clock = scenario.Clock{Start: sc.Clock.Start}
	out.Accounts = convertAll(sc.Accounts, accountStateToWorld)
	out.Users = convertAll(sc.Users, userStateToWorld)
	out.Orders = convertAll(sc.Orders, orderStateToWorld)
	out.Complaints = convertAll(sc.Complaints, scenarioComplaintToParse)
	out.Actions = convertAll(sc.Actions, scenarioActionToParse)
	out.Faults = convertAll(sc.Faults, faultToSet)
	out.Tokens = convertAll(sc.Tokens, tokenToWorld)
	out.Media = convertAll(sc.Media, mediaToWorld)
	out.IDs = sc.IDs
	out.Pay = convertPtr(sc.Pay, scenarioPayToParse)
	return &out
}

func scenarioFromParse(sc *scenario.Scenario) *Scenario {
	if sc == nil {
		return nil
	}
	return &Scenario{
		Clock:      ScenarioClock{Start: sc.Clock.Start},
		Accounts:   convertAll(sc.Accounts, accountStateFromWorld),
		Users:      convertAll(sc.Users, userStateFromWorld),
		Orders:     convertAll(sc.Orders, orderStateFromWorld),
		Complaints: convertAll(sc.Complaints, scenarioComplaintFromParse),
		Actions:    convertAll(sc.Actions, scenarioActionFromParse),
		Faults:     convertAll(sc.Faults, faultFromSet),
		Tokens:     convertAll(sc.Tokens, tokenFromWorld),
		Media:      convertAll(sc.Media, mediaFromWorld),
		IDs:        sc.IDs,
		Pay:        convertPtr(sc.Pay, scenarioPayFromParse),
		parsed:     sc,
	}
}

func scenarioPayToParse(p ScenarioPay) scenario.Pay {
	return scenario.Pay{Mode: string(p.Mode), SwitchBegan: p.SwitchBegan, ProbeEvery: p.ProbeEvery, Merchants: convertAll(p.Merchants, scenarioPayMerchantToParse),
		Complaints: convertAll(p.Complaints, scenarioPayComplaintToParse), Acts: convertAll(p.Acts, scenarioPayActToParse),
		Images: convertAll(p.Images, scenarioPayImageToWorld), Deliveries: convertAll(p.Deliveries, scenarioPayDeliveryToPush),
		Counters: payworld.Counters(p.Counters), IDs: p.IDs}
}

func scenarioPayFromParse(p scenario.Pay) ScenarioPay {
	return ScenarioPay{Mode: PayMode(p.Mode), SwitchBegan: p.SwitchBegan, ProbeEvery: p.ProbeEvery, Merchants: convertAll(p.Merchants, scenarioPayMerchantFromParse),
		Complaints: convertAll(p.Complaints, scenarioPayComplaintFromParse), Acts: convertAll(p.Acts, scenarioPayActFromParse),
		Images: convertAll(p.Images, scenarioPayImageFromWorld), Deliveries: convertAll(p.Deliveries, scenarioPayDeliveryFromPush),
		Counters: ScenarioPayCounters(p.Counters), IDs: p.IDs}
}

func scenarioPayMerchantToParse(m ScenarioPayMerchant) scenario.PayMerchant {
	return scenario.PayMerchant(m)
}

func scenarioPayMerchantFromParse(m scenario.PayMerchant) ScenarioPayMerchant {
	return ScenarioPayMerchant(m)
}

func scenarioPayComplaintToParse(c ScenarioPayComplaint) scenario.PayComplaint {
	return scenario.PayComplaint{At: c.At, FileSpec: payComplaintSpecToWorld(c.PayComplaintSpec), Complaint: c.Complaint,
		History: c.History, Refund: convertPtr(c.Refund, payRefundToWorld), Idempotent: c.Idempotent}
}

func scenarioPayComplaintFromParse(c scenario.PayComplaint) ScenarioPayComplaint {
	return ScenarioPayComplaint{At: c.At, PayComplaintSpec: payComplaintSpecFromWorld(c.FileSpec), Complaint: c.Complaint,
		History: c.History, Refund: convertPtr(c.Refund, payRefundFromWorld), Idempotent: c.Idempotent}
}

func payComplaintSpecFromWorld(s payworld.FileSpec) PayComplaintSpec {
	return PayComplaintSpec{MchID: s.MchID, ComplaintID: s.ComplaintID, Detail: s.Detail, ProblemDescription: s.ProblemDescription,
		ProblemType: s.ProblemType, ApplyRefundAmount: s.ApplyRefundAmount, Orders: s.Orders, ServiceOrders: s.ServiceOrders,
		PayerPhone: s.PayerPhone, PayerOpenID: s.PayerOpenID, UserTags: s.UserTags, Images: convertAll(s.Images, payImageFromWorld),
		AdditionalInfo: s.AdditionalInfo, NeedImmediateService: s.NeedImmediateService, IsAgentMode: s.IsAgentMode, Extra: s.Extra}
}

func payImageFromWorld(i payworld.ImageFile) PayImage {
	return PayImage{Filename: i.Filename, Data: i.Data}
}

func scenarioPayActToParse(a ScenarioPayAct) scenario.PayAct {
	return scenario.PayAct{At: a.At, ComplaintID: a.ComplaintID, Do: scenario.PayDo(a.Do), Text: a.Text, Reason: a.Reason,
		LaunchRefundDay: a.LaunchRefundDay}
}

func scenarioPayActFromParse(a scenario.PayAct) ScenarioPayAct {
	return ScenarioPayAct{At: a.At, ComplaintID: a.ComplaintID, Do: ScenarioPayDo(a.Do), Text: a.Text, Reason: a.Reason,
		LaunchRefundDay: a.LaunchRefundDay}
}

func scenarioPayImageToWorld(i ScenarioPayImage) payworld.Image { return payworld.Image(i) }

func scenarioPayImageFromWorld(i payworld.Image) ScenarioPayImage { return ScenarioPayImage(i) }

func scenarioPayDeliveryToPush(d ScenarioPayDelivery) paypush.Delivery {
	return paypush.Delivery{ID: d.ID, MchID: d.MchID, ComplaintID: d.ComplaintID, EventType: d.EventType, ActionType: d.ActionType,
		Probe: d.Probe, Plaintext: d.Plaintext, Queued: d.Queued, Delivered: d.Delivered, Failed: d.Failed,
		Attempts: convertAll(d.Attempts, payAttemptToPush), Next: d.Next}
}

func scenarioPayDeliveryFromPush(d paypush.Delivery) ScenarioPayDelivery {
	return ScenarioPayDelivery{ID: d.ID, MchID: d.MchID, ComplaintID: d.ComplaintID, EventType: d.EventType, ActionType: d.ActionType,
		Probe: d.Probe, Plaintext: d.Plaintext, Queued: d.Queued, Delivered: d.Delivered, Failed: d.Failed,
		Attempts: convertAll(d.Attempts, payAttemptFromPush), Next: d.Next}
}

func scenarioComplaintToParse(c ScenarioComplaint) scenario.Complaint {
	return scenario.Complaint{At: c.At, AppID: c.AppID, OpenID: c.OpenID, TransID: c.TransID, FeedBackID: c.FeedBackID,
		Reason: c.Reason, Solution: c.Solution, ExtInfo: c.ExtInfo, Pictures: c.Pictures, Goods: c.Goods, PaidAt: c.PaidAt,
		NoOrder: c.NoOrder, State: world.ComplaintState(c.State), Overdue: c.Overdue, Deadline: c.Deadline,
		Shipping: c.Shipping, HandledAt: c.HandledAt, ClosedAt: c.ClosedAt, RejectedAt: c.RejectedAt,
		RejectReason: c.RejectReason, Updates: c.Updates, Arbitration: convertPtr(c.Arbitration, arbitrationToWorld)}
}

func scenarioComplaintFromParse(c scenario.Complaint) ScenarioComplaint {
	return ScenarioComplaint{At: c.At, AppID: c.AppID, OpenID: c.OpenID, TransID: c.TransID, FeedBackID: c.FeedBackID,
		Reason: c.Reason, Solution: c.Solution, ExtInfo: c.ExtInfo, Pictures: c.Pictures, Goods: c.Goods, PaidAt: c.PaidAt,
		NoOrder: c.NoOrder, State: ComplaintState(c.State), Overdue: c.Overdue, Deadline: c.Deadline,
		Shipping: c.Shipping, HandledAt: c.HandledAt, ClosedAt: c.ClosedAt, RejectedAt: c.RejectedAt,
		RejectReason: c.RejectReason, Updates: c.Updates, Arbitration: convertPtr(c.Arbitration, arbitrationFromWorld)}
}

func scenarioActionToParse(a ScenarioAction) scenario.Action {
	return scenario.Action{At: a.At, FeedBackID: a.FeedBackID, Do: scenario.Do(a.Do), Reason: a.Reason, Note: a.Note,
		Pictures: a.Pictures, For: a.For}
}

func scenarioActionFromParse(a scenario.Action) ScenarioAction {
	return ScenarioAction{At: a.At, FeedBackID: a.FeedBackID, Do: ScenarioDo(a.Do), Reason: a.Reason, Note: a.Note,
		Pictures: a.Pictures, For: a.For}
}

func scenarioErrorToParse(e *ScenarioError) *scenario.Error {
	return &scenario.Error{File: e.File, Line: e.Line, Column: e.Column, Path: e.Path, Msg: e.Msg}
}

func scenarioErrorFromParse(e *scenario.Error) *ScenarioError {
	return &ScenarioError{File: e.File, Line: e.Line, Column: e.Column, Path: e.Path, Msg: e.Msg}
}

// scenarioErr is err with a scenario package's *scenario.Error, the error
// itself, turned into a *ScenarioError; any other error as it is.
func scenarioErr(err error) error {
	var se *scenario.Error
	if errors.As(err, &se) && error(se) == err {
		return scenarioErrorFromParse(se)
	}
	return err
}
