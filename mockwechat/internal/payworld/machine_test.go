package payworld

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/payfeedback/payfeedback/complaints"
)

// The starting points of the state machine's table: a REFUND complaint
// that needs immediate service, in each state it can be in.
const (
	startPending    = "PENDING"
	startProcessing = "PROCESSING"           // the merchant replied
	startProcessed  = "PROCESSED"            // replied and completed
	startInService  = "PENDING, in service"  // the user asked the platform
	startApproved   = "PROCESSING, approved" // the merchant approved the refund
)

var starts = []string{startPending, startProcessing, startProcessed, startInService, startApproved}

// prepare files a complaint and brings it to start.
func prepare(t *testing.T, w *World, start string) string {
	t.Helper()
	c := must[Complaint](t)(w.File(FileSpec{MchID: mch1, ProblemType: complaints.ProblemRefund, NeedImmediateService: true}))
	id := c.ID()
	reply := complaints.ResponseRequest{ComplaintedMchID: mch1, ResponseContent: "您好，已收到"}
	switch start {
	case startProcessing:
		ok(t)(w.Respond(mch1, id, reply))
	case startProcessed:
		ok(t)(w.Respond(mch1, id, reply))
		ok(t)(w.Complete(mch1, id, complaints.CompleteRequest{ComplaintedMchID: mch1}))
	case startInService:
		must[Complaint](t)(w.ApplyPlatformService(id, "", ""))
	case startApproved:
		ok(t)(w.UpdateRefundProgress(mch1, id, complaints.RefundProgressRequest{Action: complaints.RefundApprove}))
	}
	return id
}

// ok fails the test on an act's error.
func ok(t *testing.T) func(Effects, error) {
	return func(_ Effects, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
}

// act is one act of the table: what it does, and what WeChat announces
// for it ("" for the merchant's own acts, which announce nothing).
type act struct {
	name     string
	announce complaints.ActionType
	do       func(w *World, id string) (Effects, error)
	// want, for each start: the state after, or refused (ErrState).
	want map[string]complaints.ComplaintState
}

const refused complaints.ComplaintState = "refused"

func userAct(f func(w *World, id string) (Complaint, Effects, error)) func(w *World, id string) (Effects, error) {
	return func(w *World, id string) (Effects, error) {
		_, fx, err := f(w, id)
		return fx, err
	}
}

func acts() []act {
	const (
		P  = complaints.StatePending
		PR = complaints.StateProcessing
		PD = complaints.StateProcessed
	)
	return []act{
		{name: "response", do: func(w *World, id string) (Effects, error) {
			return w.Respond(mch1, id, complaints.ResponseRequest{ComplaintedMchID: mch1, ResponseContent: "已处理"})
		}, want: map[string]complaints.ComplaintState{startPending: PR, startProcessing: PR, startProcessed: refused, startInService: PR, startApproved: PR}},
		{name: "response-immediate-service", do: func(w *World, id string) (Effects, error) {
			_, fx, err := w.RespondImmediately(mch1, id, complaints.ImmediateServiceRequest{ComplaintedMchID: mch1, IdempotentID: complaints.NewIdempotentID(),
				Message: complaints.NormalMessage{Blocks: []complaints.Block{{Type: complaints.BlockText, Text: &complaints.TextBlock{Text: "您好"}}}}})
			return fx, err
		}, want: map[string]complaints.ComplaintState{startPending: PR, startProcessing: PR, startProcessed: refused, startInService: PR, startApproved: PR}},
		{name: "complete", do: func(w *World, id string) (Effects, error) {
			return w.Complete(mch1, id, complaints.CompleteRequest{ComplaintedMchID: mch1})
		}, want: map[string]complaints.ComplaintState{startPending: refused, startProcessing: PD, startProcessed: refused, startInService: refused, startApproved: PD}},
		{name: "refund APPROVE", do: func(w *World, id string) (Effects, error) {
			day := 3
			return w.UpdateRefundProgress(mch1, id, complaints.RefundProgressRequest{Action: complaints.RefundApprove, LaunchRefundDay: &day})
		}, want: map[string]complaints.ComplaintState{startPending: PR, startProcessing: PR, startProcessed: refused, startInService: PR, startApproved: refused}},
		{name: "refund REJECT", do: func(w *World, id string) (Effects, error) {
			return w.UpdateRefundProgress(mch1, id, complaints.RefundProgressRequest{Action: complaints.RefundReject, RejectReason: "已超过退款期限"})
		}, want: map[string]complaints.ComplaintState{startPending: PD, startProcessing: PD, startProcessed: refused, startInService: PD, startApproved: refused}},
		{name: "continue", announce: complaints.ActionContinueComplaint, do: userAct(func(w *World, id string) (Complaint, Effects, error) { return w.Continue(id, "") }),
			want: map[string]complaints.ComplaintState{startPending: refused, startProcessing: refused, startProcessed: P, startInService: refused, startApproved: refused}},
		{name: "user message", announce: complaints.ActionUserResponse, do: userAct(func(w *World, id string) (Complaint, Effects, error) { return w.UserMessage(id, "在吗") }),
			want: map[string]complaints.ComplaintState{startPending: P, startProcessing: PR, startProcessed: refused, startInService: P, startApproved: PR}},
		{name: "apply platform service", announce: complaints.ActionUserApplyPlatformService, do: userAct(func(w *World, id string) (Complaint, Effects, error) {
			return w.ApplyPlatformService(id, "商家未回复", "三天没有回复")
		}), want: map[string]complaints.ComplaintState{startPending: P, startProcessing: PR, startProcessed: refused, startInService: refused, startApproved: PR}},
		{name: "cancel platform service", announce: complaints.ActionUserCancelPlatformService, do: userAct(func(w *World, id string) (Complaint, Effects, error) {
			return w.CancelPlatformService(id)
		}), want: map[string]complaints.ComplaintState{startPending: refused, startProcessing: refused, startProcessed: refused, startInService: P, startApproved: refused}},
		{name: "platform message", announce: complaints.ActionResponseByPlatform, do: userAct(func(w *World, id string) (Complaint, Effects, error) {
			return w.PlatformMessage(id, "请商家尽快处理")
		}), want: map[string]complaints.ComplaintState{startPending: P, startProcessing: PR, startProcessed: PD, startInService: P, startApproved: PR}},
		{name: "platform service finished", announce: complaints.ActionPlatformServiceFinished, do: userAct(func(w *World, id string) (Complaint, Effects, error) {
			return w.FinishPlatformService(id, "已协调")
		}), want: map[string]complaints.ComplaintState{startPending: refused, startProcessing: refused, startProcessed: refused, startInService: P, startApproved: refused}},
		{name: "refund arrives", announce: complaints.ActionRefundSuccess, do: userAct(func(w *World, id string) (Complaint, Effects, error) { return w.RefundArrived(id) }),
			want: map[string]complaints.ComplaintState{startPending: refused, startProcessing: refused, startProcessed: refused, startInService: refused, startApproved: PD}},
		{name: "seller refund", announce: complaints.ActionSellerRefund, do: userAct(func(w *World, id string) (Complaint, Effects, error) { return w.SellerRefund(id) }),
			want: map[string]complaints.ComplaintState{startPending: P, startProcessing: PR, startProcessed: PD, startInService: P, startApproved: PR}},
	}
}

// TestStateMachine plays every act from every state: the state after, or a
// refusal (ErrState) that changes nothing; one history entry per act done;
// a callback for each act WeChat announces, none for the merchant's own.
func TestStateMachine(t *testing.T) {
	for _, a := range acts() {
		for _, start := range starts {
			t.Run(fmt.Sprintf("%s from %s", a.name, start), func(t *testing.T) {
				w, _ := newWorld(t, Rules{})
				id := prepare(t, w, start)
				before, _ := w.Complaint(id)
				fx, err := a.do(w, id)
				after, _ := w.Complaint(id)
				want := a.want[start]
				if want == refused {
					if !errors.Is(err, ErrState) {
						t.Fatalf("err %v, want ErrState", err)
					}
					if !fx.Empty() || !sameJSON(before, after) {
						t.Errorf("a refused act changed something: effects %+v", fx)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if after.State() != want {
					t.Errorf("state %s, want %s", after.State(), want)
				}
				if len(after.History) != len(before.History)+1 {
					t.Errorf("history %d entries, want %d", len(after.History), len(before.History)+1)
				}
				var cbs []complaints.ActionType
				for _, c := range fx.Callbacks {
					cbs = append(cbs, c.ActionType)
					if c.EventType != complaints.EventStateChange || c.ComplaintID != id || c.MchID != mch1 {
						t.Errorf("callback %+v", c)
					}
				}
				switch {
				case a.announce == "" && len(cbs) != 0:
					t.Errorf("the merchant's own act announced %v", cbs)
				case a.announce != "" && (len(cbs) != 1 || cbs[0] != a.announce):
					t.Errorf("announced %v, want [%s]", cbs, a.announce)
				}
				if len(fx.Changes) != 1 || fx.Changes[0].State != want || fx.Changes[0].Operate != after.History[len(after.History)-1].OperateType {
					t.Errorf("changes %+v", fx.Changes)
				}
			})
		}
	}
}

func sameJSON(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return string(x) == string(y)
}

// TestFile: a filed complaint has every field WeChat answers, one history
// entry, and a COMPLAINT.CREATE callback.
func TestFile(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	c, fx, err := w.File(FileSpec{MchID: mch1, ProblemType: complaints.ProblemRefund, UserTags: []complaints.UserTag{complaints.TagTrusted},
		Images: []ImageFile{{Filename: "evidence.png", Data: png}}, PayerPhone: "13800138000"})
	if err != nil {
		t.Fatal(err)
	}
	wire := c.Wire
	switch {
	case len(wire.ComplaintID) != 27 || wire.ComplaintState != complaints.StatePending || wire.ComplaintedMchID != mch1:
		t.Errorf("complaint %+v", wire)
	case len(wire.ComplaintOrderInfo) != 1 || wire.ApplyRefundAmount != wire.ComplaintOrderInfo[0].Amount:
		t.Errorf("orders %+v, refund %d", wire.ComplaintOrderInfo, wire.ApplyRefundAmount)
	case len(wire.ComplaintMediaList) != 1 || wire.ComplaintMediaList[0].MediaType != complaints.MediaUserComplaintImage:
		t.Errorf("media %+v", wire.ComplaintMediaList)
	case wire.UserComplaintTimes != 1 || wire.PayerOpenID == "" || len(wire.PayerPhone) != 344:
		t.Errorf("complaint %+v", wire)
	case wire.ComplaintTime.Format("2006-01-02T15:04:05.000-07:00") != "2025-03-01T18:00:00.000+08:00":
		t.Errorf("complaint_time %s, want China Standard Time", wire.ComplaintTime)
	case len(c.History) != 1 || c.History[0].OperateType != complaints.OperateUserCreateComplaint || len(c.History[0].LogID) != 27:
		t.Errorf("history %+v", c.History)
	}
	if phone, err := wire.DecryptPayerPhone(merchantKey(t)); err != nil || phone != "13800138000" {
		t.Errorf("payer_phone decrypts to %q, %v", phone, err)
	}
	if len(fx.Callbacks) != 1 || fx.Callbacks[0] != (Callback{MchID: mch1, ComplaintID: wire.ComplaintID, EventType: complaints.EventCreate, ActionType: complaints.ActionCreateComplaint}) {
		t.Errorf("callbacks %+v", fx.Callbacks)
	}
	if _, _, err := w.File(FileSpec{MchID: mch1, ComplaintID: wire.ComplaintID}); !errors.Is(err, ErrState) {
		t.Errorf("a complaint id twice: %v", err)
	}
	for _, bad := range []FileSpec{
		{MchID: "nobody"},
		{}, // two merchants: which one?
		{MchID: mch1, ApplyRefundAmount: 100},
		{MchID: mch1, Images: []ImageFile{{Filename: "a.gif", Data: png}}},
		{MchID: mch1, Orders: []complaints.OrderInfo{{TransactionID: "1"}}},
	} {
		if _, _, err := w.File(bad); err == nil {
			t.Errorf("filed %+v", bad)
		}
	}
}

// TestMisspelledApplyPlatformService: the rule announces the changelog's
// spelling.
func TestMisspelledApplyPlatformService(t *testing.T) {
	w, _ := newWorld(t, Rules{MisspelledApplyPlatformService: true})
	id := prepare(t, w, startPending)
	_, fx, err := w.ApplyPlatformService(id, "", "")
	if err != nil || fx.Callbacks[0].ActionType != complaints.ActionUserApplyPlatformSerivce {
		t.Fatalf("%+v %v", fx, err)
	}
}

// TestContinue: a continued complaint counts one more complaint of the
// user, reopens, and takes a refund decision again.
func TestContinue(t *testing.T) {
	for _, c := range []struct {
		rules Rules
		want  complaints.ComplaintState
	}{{Rules{}, complaints.StatePending}, {Rules{ReopenTo: ReopenProcessing}, complaints.StateProcessing}} {
		w, _ := newWorld(t, c.rules)
		id := prepare(t, w, startPending)
		ok(t)(w.UpdateRefundProgress(mch1, id, complaints.RefundProgressRequest{Action: complaints.RefundReject, RejectReason: "不符合"}))
		got := must[Complaint](t)(w.Continue(id, "还是不行"))
		if got.State() != c.want || got.Wire.UserComplaintTimes != 2 || !got.Wire.IncomingUserResponse || got.Refund != nil {
			t.Errorf("after continue: %s, times %d, incoming %v, refund %+v", got.State(), got.Wire.UserComplaintTimes, got.Wire.IncomingUserResponse, got.Refund)
		}
		ok(t)(w.UpdateRefundProgress(mch1, id, complaints.RefundProgressRequest{Action: complaints.RefundApprove}))
	}
}

// TestRefundArrives: the approved refund's arrival processes the
// complaint and, covering the orders, marks it refunded in full.
func TestRefundArrives(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	id := prepare(t, w, startApproved)
	c := must[Complaint](t)(w.RefundArrived(id))
	if c.State() != complaints.StateProcessed || !c.Wire.ComplaintFullRefunded || c.Refund.ArrivedAt.IsZero() {
		t.Errorf("%s full %v refund %+v", c.State(), c.Wire.ComplaintFullRefunded, c.Refund)
	}
	if _, _, err := w.RefundArrived(id); !errors.Is(err, ErrState) {
		t.Errorf("the refund arrived twice: %v", err)
	}
}

// TestIncomingUserResponse: the user's message waits for the merchant's
// reply.
func TestIncomingUserResponse(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	id := prepare(t, w, startProcessing)
	if c := must[Complaint](t)(w.UserMessage(id, "退款什么时候到")); !c.Wire.IncomingUserResponse {
		t.Error("a user's message does not await an answer")
	}
	ok(t)(w.Respond(mch1, id, complaints.ResponseRequest{ComplaintedMchID: mch1, ResponseContent: "今天"}))
	if c, _ := w.Complaint(id); c.Wire.IncomingUserResponse {
		t.Error("the merchant's reply left the user's message unanswered")
	}
}

// TestUserActsOnUnknownComplaint: ErrNotFound.
func TestUserActsOnUnknownComplaint(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	for _, a := range acts() {
		if a.announce == "" {
			continue
		}
		if _, err := a.do(w, "404"); !errors.Is(err, ErrNotFound) {
			t.Errorf("%s: %v", a.name, err)
		}
	}
}
