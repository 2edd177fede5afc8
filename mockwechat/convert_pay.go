package mockwechat

import (
	"github.com/payfeedback/payfeedback/mockwechat/internal/admin"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paypush"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// The conversions of Complaints 2.0's public types (convert.go has the
// others).

func payRulesToWorld(r PayRules) payworld.Rules {
	return payworld.Rules{AllowReplyWhenProcessed: r.AllowReplyWhenProcessed, AllowCompleteFromPending: r.AllowCompleteFromPending,
		AllowRepeatedComplete: r.AllowRepeatedComplete, ReopenTo: payworld.ReopenState(r.ReopenTo),
		AllowRepeatedRefundDecision: r.AllowRepeatedRefundDecision, AllowRefundDecisionOnOtherProblems: r.AllowRefundDecisionOnOtherProblems,
		AllowImmediateWithoutNeed: r.AllowImmediateWithoutNeed, RefuseIdempotentReplay: r.RefuseIdempotentReplay,
		UnknownComplaint: payworld.UnknownComplaintAnswer(r.UnknownComplaint), MisspelledApplyPlatformService: r.MisspelledApplyPlatformService,
		RefuseCreateWhenURLExists: r.RefuseCreateWhenURLExists}
}

func payRulesFromWorld(r payworld.Rules) PayRules {
	return PayRules{AllowReplyWhenProcessed: r.AllowReplyWhenProcessed, AllowCompleteFromPending: r.AllowCompleteFromPending,
		AllowRepeatedComplete: r.AllowRepeatedComplete, ReopenTo: PayReopenState(r.ReopenTo),
		AllowRepeatedRefundDecision: r.AllowRepeatedRefundDecision, AllowRefundDecisionOnOtherProblems: r.AllowRefundDecisionOnOtherProblems,
		AllowImmediateWithoutNeed: r.AllowImmediateWithoutNeed, RefuseIdempotentReplay: r.RefuseIdempotentReplay,
		UnknownComplaint: PayUnknownComplaint(r.UnknownComplaint), MisspelledApplyPlatformService: r.MisspelledApplyPlatformService,
		RefuseCreateWhenURLExists: r.RefuseCreateWhenURLExists}
}

func payComplaintSpecToWorld(s PayComplaintSpec) payworld.FileSpec {
	return payworld.FileSpec{MchID: s.MchID, ComplaintID: s.ComplaintID, Detail: s.Detail, ProblemDescription: s.ProblemDescription,
		ProblemType: s.ProblemType, ApplyRefundAmount: s.ApplyRefundAmount, Orders: s.Orders, ServiceOrders: s.ServiceOrders,
		PayerPhone: s.PayerPhone, PayerOpenID: s.PayerOpenID, UserTags: s.UserTags, Images: convertAll(s.Images, payImageToWorld),
		AdditionalInfo: s.AdditionalInfo, NeedImmediateService: s.NeedImmediateService, IsAgentMode: s.IsAgentMode, Extra: s.Extra}
}

func payImageToWorld(i PayImage) payworld.ImageFile {
	return payworld.ImageFile{Filename: i.Filename, Data: i.Data}
}

func payComplaintToWorld(c PayComplaint) payworld.Complaint {
	return payworld.Complaint{Wire: c.Wire, PayerPhone: c.PayerPhone, History: c.History, Refund: convertPtr(c.Refund, payRefundToWorld),
		Idempotent: c.Idempotent}
}

func payComplaintFromWorld(c payworld.Complaint) PayComplaint {
	return PayComplaint{Wire: c.Wire, PayerPhone: c.PayerPhone, History: c.History, Refund: convertPtr(c.Refund, payRefundFromWorld),
		Idempotent: c.Idempotent}
}

func payRefundToWorld(r PayRefund) payworld.Refund {
	return payworld.Refund{Action: r.Action, LaunchRefundDay: r.LaunchRefundDay, RejectReason: r.RejectReason, DecidedAt: r.DecidedAt,
		ArrivedAt: r.ArrivedAt}
}

func payRefundFromWorld(r payworld.Refund) PayRefund {
	return PayRefund{Action: r.Action, LaunchRefundDay: r.LaunchRefundDay, RejectReason: r.RejectReason, DecidedAt: r.DecidedAt,
		ArrivedAt: r.ArrivedAt}
}

func payMerchantToAdmin(m PayMerchant) admin.PayMerchant {
	return admin.PayMerchant{MchID: m.MchID, SerialNo: m.SerialNo, APIv3Key: m.APIv3Key, PublicKeyID: m.PublicKeyID,
		PlatformSerial: m.PlatformSerial, Mode: string(m.Mode), SwitchBegan: m.SwitchBegan, NotifyURL: m.NotifyURL, KeysDir: m.KeysDir,
		ProbeEvery: m.ProbeEvery, PlatformCertificates: convertAll(m.PlatformCertificates, payCertificateToAdmin)}
}

func payCertificateToAdmin(c PayCertificate) admin.PayCertificate { return admin.PayCertificate(c) }

func payCertificateFromAdmin(c admin.PayCertificate) PayCertificate { return PayCertificate(c) }

func payMerchantFromAdmin(m admin.PayMerchant) PayMerchant {
	return PayMerchant{MchID: m.MchID, SerialNo: m.SerialNo, APIv3Key: m.APIv3Key, PublicKeyID: m.PublicKeyID,
		PlatformSerial: m.PlatformSerial, Mode: PayMode(m.Mode), SwitchBegan: m.SwitchBegan, NotifyURL: m.NotifyURL, KeysDir: m.KeysDir,
		ProbeEvery: m.ProbeEvery, PlatformCertificates: convertAll(m.PlatformCertificates, payCertificateFromAdmin)}
}

func payCallbackReportToPush(r PayCallbackReport) paypush.Report {
	return paypush.Report{Delivery: paypush.Ref(r.Delivery), Attempt: convertPtr(r.Attempt, payAttemptToPush), Phase: paypush.Phase(r.Phase)}
}

func payCallbackReportFromPush(r paypush.Report) PayCallbackReport {
	return PayCallbackReport{Delivery: PayCallbackRef(r.Delivery), Attempt: convertPtr(r.Attempt, payAttemptFromPush), Phase: string(r.Phase)}
}

func payAttemptToPush(a PayAttempt) paypush.Attempt {
	return paypush.Attempt{Time: a.Time, URL: a.URL, Headers: a.Headers, Body: a.Body, Plaintext: a.Plaintext, Status: a.Status,
		Response: a.Response, Latency: a.Latency, Err: a.Err, Fault: a.Fault, Verdict: a.Verdict, Copy: a.Copy, Wrong: a.Wrong}
}

func payAttemptFromPush(a paypush.Attempt) PayAttempt {
	return PayAttempt{Time: a.Time, URL: a.URL, Headers: a.Headers, Body: a.Body, Plaintext: a.Plaintext, Status: a.Status,
		Response: a.Response, Latency: a.Latency, Err: a.Err, Fault: a.Fault, Verdict: a.Verdict, Copy: a.Copy, Wrong: a.Wrong}
}
