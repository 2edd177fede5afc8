package payworld

import (
	"errors"
	"net/http"
	"testing"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// TestRules: each switch turns its refusal into what it says, and its
// default refuses with WeChat's status, code and message.
func TestRules(t *testing.T) {
	immediate := func(w *World, id, idem string) (complaints.ImmediateServiceAnswer, Effects, error) {
		return w.RespondImmediately(mch1, id, complaints.ImmediateServiceRequest{ComplaintedMchID: mch1, IdempotentID: idem,
			Message: complaints.NormalMessage{Blocks: []complaints.Block{{Type: complaints.BlockText, Text: &complaints.TextBlock{Text: "您好"}}}}})
	}
	cases := []struct {
		name  string
		rules Rules
		start string
		spec  FileSpec // "" start: filed with this spec
		do    func(w *World, id string) error
		// after, when the switch is on: the state
		after complaints.ComplaintState
	}{
		{name: "reply when processed", rules: Rules{AllowReplyWhenProcessed: true}, start: startProcessed, after: complaints.StateProcessed,
			do: func(w *World, id string) error {
				_, err := w.Respond(mch1, id, complaints.ResponseRequest{ComplaintedMchID: mch1, ResponseContent: "补充说明"})
				return err
			}},
		{name: "complete from pending", rules: Rules{AllowCompleteFromPending: true}, start: startPending, after: complaints.StateProcessed,
			do: func(w *World, id string) error {
				_, err := w.Complete(mch1, id, complaints.CompleteRequest{ComplaintedMchID: mch1})
				return err
			}},
		{name: "repeated complete", rules: Rules{AllowRepeatedComplete: true}, start: startProcessed, after: complaints.StateProcessed,
			do: func(w *World, id string) error {
				_, err := w.Complete(mch1, id, complaints.CompleteRequest{ComplaintedMchID: mch1})
				return err
			}},
		{name: "repeated refund decision", rules: Rules{AllowRepeatedRefundDecision: true}, start: startApproved, after: complaints.StateProcessed,
			do: func(w *World, id string) error {
				_, err := w.UpdateRefundProgress(mch1, id, complaints.RefundProgressRequest{Action: complaints.RefundReject})
				return err
			}},
		{name: "refund decision on another problem", rules: Rules{AllowRefundDecisionOnOtherProblems: true}, spec: FileSpec{MchID: mch1},
			after: complaints.StateProcessing, do: func(w *World, id string) error {
				_, err := w.UpdateRefundProgress(mch1, id, complaints.RefundProgressRequest{Action: complaints.RefundApprove})
				return err
			}},
		{name: "immediate service without need", rules: Rules{AllowImmediateWithoutNeed: true}, spec: FileSpec{MchID: mch1},
			after: complaints.StateProcessing, do: func(w *World, id string) error {
				_, _, err := immediate(w, id, "idem-1")
				return err
			}},
	}
	for _, c := range cases {
		run := func(rules Rules) (complaints.ComplaintState, error) {
			w, _ := newWorld(t, rules)
			var id string
			if c.start != "" {
				id = prepare(t, w, c.start)
			} else {
				id = must[Complaint](t)(w.File(c.spec)).ID()
			}
			err := c.do(w, id)
			got, _ := w.Complaint(id)
			return got.State(), err
		}
		t.Run(c.name, func(t *testing.T) {
			_, err := run(Rules{})
			var r *Refusal
			if !errors.As(err, &r) || !errors.Is(err, ErrState) || r.Status != http.StatusBadRequest || r.Code != apiv3.CodeInvalidRequest || r.Message != MsgWrongState {
				t.Fatalf("by default: %v (%+v), want 400 INVALID_REQUEST %s", err, r, MsgWrongState)
			}
			state, err := run(c.rules)
			if err != nil || state != c.after {
				t.Errorf("with the switch on: %s, %v; want %s", state, err, c.after)
			}
		})
	}

	t.Run("idempotent replay", func(t *testing.T) {
		w, _ := newWorld(t, Rules{})
		id := prepare(t, w, startPending)
		first, fx, err := immediate(w, id, "idem-1")
		if err != nil || len(fx.Changes) != 1 {
			t.Fatal(err)
		}
		before, _ := w.Complaint(id)
		again, fx, err := immediate(w, id, "idem-1")
		after, _ := w.Complaint(id)
		if err != nil || again.LogID != first.LogID || !fx.Empty() || len(after.History) != len(before.History) {
			t.Errorf("replay: %+v %+v %v, history %d → %d", again, fx, err, len(before.History), len(after.History))
		}
		if other, _, _ := immediate(w, id, "idem-2"); other.LogID == first.LogID || other.LogID == "" {
			t.Errorf("another idempotent_id answered log_id %q", other.LogID)
		}
		w.SetRules(Rules{RefuseIdempotentReplay: true})
		if _, _, err := immediate(w, id, "idem-1"); !errors.Is(err, ErrState) {
			t.Errorf("refused replay: %v", err)
		}
	})

	t.Run("create when a URL exists", func(t *testing.T) {
		w, _ := newWorld(t, Rules{})
		if _, _, err := w.CreateNotifyURL(mch1, "https://a.example.com/cb"); err != nil {
			t.Fatal(err)
		}
		if n, _, err := w.CreateNotifyURL(mch1, "https://b.example.com/cb"); err != nil || n.URL != "https://b.example.com/cb" {
			t.Errorf("replacing: %+v %v", n, err)
		}
		w.SetRules(Rules{RefuseCreateWhenURLExists: true})
		if _, _, err := w.CreateNotifyURL(mch1, "https://c.example.com/cb"); !errors.Is(err, ErrState) {
			t.Errorf("refused: %v", err)
		}
	})
}

// TestUnknownComplaint: each answer of the switch, on every merchant act.
func TestUnknownComplaint(t *testing.T) {
	for _, c := range []struct {
		rule   UnknownComplaintAnswer
		status int
		code   apiv3.Code
	}{
		{UnknownNotFound, http.StatusNotFound, apiv3.CodeOrderNotExist},
		{UnknownParamError, http.StatusBadRequest, apiv3.CodeParamError},
		{UnknownNoAuth, http.StatusForbidden, apiv3.CodeNoAuth},
	} {
		w, _ := newWorld(t, Rules{UnknownComplaint: c.rule})
		calls := map[string]func() error{
			"detail": func() error { _, err := w.Detail(mch1, "404"); return err },
			"history": func() error {
				_, err := w.History(mch1, "404", complaints.HistoryRequest{})
				return err
			},
		}
		for _, a := range acts() {
			if a.announce == "" {
				calls[a.name] = func() error { _, err := a.do(w, "404"); return err }
			}
		}
		for name, call := range calls {
			var r *Refusal
			err := call()
			if !errors.As(err, &r) || !errors.Is(err, ErrNotFound) || r.Status != c.status || r.Code != c.code {
				t.Errorf("rule %d, %s: %v", c.rule, name, err)
			}
		}
	}
}

// TestNoAuth: another merchant's complaint, read or acted on, and a body
// naming another merchant, answer NO_AUTH with WeChat's messages.
func TestNoAuth(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	id := prepare(t, w, startPending)
	check := func(name string, err error, message string) {
		t.Helper()
		var r *Refusal
		if !errors.As(err, &r) || !errors.Is(err, ErrNoAuth) || r.Status != http.StatusForbidden || r.Code != apiv3.CodeNoAuth || r.Message != message {
			t.Errorf("%s: %v", name, err)
		}
	}
	_, err := w.Detail(mch2, id)
	check("detail", err, MsgNoAuthQuery)
	_, err = w.History(mch2, id, complaints.HistoryRequest{})
	check("history", err, MsgNoAuthQuery)
	_, err = w.List(mch1, complaints.ListRequest{BeginDate: complaints.Date{Year: 2025, Month: 3, Day: 1}, EndDate: complaints.Date{Year: 2025, Month: 3, Day: 1}, ComplaintedMchID: mch2})
	check("list of another merchant", err, MsgNoAuthQuery)
	_, err = w.Respond(mch2, id, complaints.ResponseRequest{ComplaintedMchID: mch2, ResponseContent: "x"})
	check("response", err, MsgNoAuthReply)
	_, err = w.Respond(mch1, id, complaints.ResponseRequest{ComplaintedMchID: mch2, ResponseContent: "x"})
	check("response naming another merchant", err, MsgNoAuthReply)
	_, err = w.Complete(mch2, id, complaints.CompleteRequest{ComplaintedMchID: mch2})
	check("complete", err, MsgNoAuthReply)
	_, err = w.UpdateRefundProgress(mch2, id, complaints.RefundProgressRequest{Action: complaints.RefundApprove})
	check("refund", err, MsgNoAuthReply)
}

// TestValidation: a request breaking the documented limits is the
// complaints package's *ValidationError, before anything is looked up.
func TestValidation(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	long := make([]rune, complaints.MaxResponseContentLength+1)
	for i := range long {
		long[i] = '字'
	}
	errs := []error{
		func() error {
			_, err := w.Respond(mch1, "404", complaints.ResponseRequest{ComplaintedMchID: mch1, ResponseContent: string(long)})
			return err
		}(),
		func() error { _, err := w.Complete(mch1, "404", complaints.CompleteRequest{}); return err }(),
		func() error {
			_, err := w.List(mch1, complaints.ListRequest{BeginDate: complaints.Date{Year: 2025, Month: 1, Day: 1}, EndDate: complaints.Date{Year: 2025, Month: 3, Day: 1}})
			return err
		}(),
		func() error { _, err := w.History(mch1, "404", complaints.HistoryRequest{Limit: 301}); return err }(),
	}
	for i, err := range errs {
		var v *complaints.ValidationError
		if !errors.As(err, &v) {
			t.Errorf("%d: %v, want a *complaints.ValidationError", i, err)
		}
	}
}

// TestImagesInReplies: a reply's images must be the merchant's uploads;
// they join the complaint's OPERATION_IMAGE media and the entry's
// image_list.
func TestImagesInReplies(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	id := prepare(t, w, startPending)
	mine, theirs := upload(t, w, mch1), upload(t, w, mch2)
	_, err := w.Respond(mch1, id, complaints.ResponseRequest{ComplaintedMchID: mch1, ResponseContent: "见图", ResponseImages: []string{mine, theirs}})
	var r *Refusal
	if !errors.As(err, &r) || r.Code != apiv3.CodeParamError || r.Field != "/response_images/1" || r.Location != "body" {
		t.Fatalf("another merchant's image: %v %+v", err, r)
	}
	ok(t)(w.Respond(mch1, id, complaints.ResponseRequest{ComplaintedMchID: mch1, ResponseContent: "见图", ResponseImages: []string{mine}}))
	c, _ := w.Complaint(id)
	last := c.History[len(c.History)-1]
	if len(last.ImageList) != 1 || last.ImageList[0] != DefaultMediaURLBase+complaints.PathImage(mine) {
		t.Errorf("image_list %v", last.ImageList)
	}
	var found bool
	for _, m := range c.Wire.ComplaintMediaList {
		found = found || (m.MediaType == complaints.MediaOperationImage && len(m.MediaURL) == 1)
	}
	if !found {
		t.Errorf("complaint media %+v", c.Wire.ComplaintMediaList)
	}
}
