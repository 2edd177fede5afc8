package mockwechat

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// payTriggered is POST /_mock/pay/trigger's answer, as a test reads it.
type payTriggered struct {
	ID          string                `json:"id"`
	ActionType  complaints.ActionType `json:"action_type"`
	Overrides   string                `json:"overrides"`
	ComplaintID string                `json:"complaint_id"`
	Complaint   struct {
		History []complaints.NegotiationHistory `json:"history"`
	} `json:"complaint"`
}

// TestPayTrigger: POST /_mock/pay/trigger plays the act and its callback
// carries the overrides (another action_type, unknown members), shown in
// the live log's line; a callback alone leaves the complaint as it was; a
// tampered first attempt is refused and its retry, on the ladder, is
// plain; what it cannot do is refused with a status that says why.
func TestPayTrigger(t *testing.T) {
	clk := NewVirtualClock(time.Now().Truncate(time.Second))
	fake := NewServer(Options{Clock: clk, Pay: &PayOptions{KeysDir: payKeys(t)}})
	defer fake.Close()
	merchant := newPayMerchantServer(t, fake)
	ctx := t.Context()
	if err := fake.SetPayNotifyURL("", merchant.URL); err != nil {
		t.Fatal(err)
	}
	c, err := fake.FilePayComplaint(ctx, PayComplaintSpec{})
	if err != nil {
		t.Fatal(err)
	}
	id := c.Wire.ComplaintID
	fake.WaitPayIdle(ctx)
	sub := fake.Subscribe(256)
	defer sub.Close()

	// An act with overrides.
	var tr payTriggered
	status, body := adminCall(t, fake, "POST", "/_mock/pay/trigger", `{"complaint_id":"`+id+`","act":"message","text":"新消息","action_type":"SOME_NEW_TYPE","unknown_members":true}`, &tr)
	if status != http.StatusAccepted || tr.ID == "" || tr.ActionType != "SOME_NEW_TYPE" || tr.Overrides != "unknown-members" || tr.ComplaintID != id {
		t.Fatalf("trigger: HTTP %d %s", status, body)
	}
	if n := len(tr.Complaint.History); n != 2 || tr.Complaint.History[1].OperateType != complaints.OperateUserResponse || tr.Complaint.History[1].OperateDetails != "新消息" {
		t.Errorf("the act did not happen: history %+v", tr.Complaint.History)
	}
	fake.WaitPayIdle(ctx)
	envs, plains, refused := merchant.got()
	if len(plains) != 2 || refused != 0 {
		t.Fatalf("the merchant opened %d callbacks and refused %d, want 2 and 0", len(plains), refused)
	}
	var ev map[string]any
	if err := json.Unmarshal([]byte(plains[1]), &ev); err != nil {
		t.Fatal(err)
	}
	if ev["action_type"] != "SOME_NEW_TYPE" || ev["complaint_id"] != id || ev["out_trade_no"] == nil {
		t.Errorf("the triggered callback's plaintext %s: want action_type SOME_NEW_TYPE and unknown members", plains[1])
	}
	if !strings.Contains(envs[1], `"event_version"`) || !strings.Contains(envs[1], `"id":"`+tr.ID+`"`) {
		t.Errorf("the triggered callback's envelope %s: want unknown members and id %s", envs[1], tr.ID)
	}
	var line string
	for line == "" {
		select {
		case e := <-sub.Events():
			if e.Kind == EventPayCallback && e.PayCallback.Attempt != nil && e.PayCallback.Delivery.ID == tr.ID {
				line = e.String()
			}
		case <-time.After(10 * time.Second):
			t.Fatal("no live-log event of the triggered callback's attempt")
		}
	}
	if !strings.Contains(line, "SOME_NEW_TYPE") || !strings.Contains(line, "unknown-members") {
		t.Errorf("live log line %q: want the action_type and the overrides", line)
	}

	// A callback alone: the complaint does not change.
	status, body = adminCall(t, fake, "POST", "/_mock/pay/trigger", `{"complaint_id":"`+id+`","action_type":"USER_APPLY_PLATFORM_SERIVCE"}`, &tr)
	if status != http.StatusAccepted || len(tr.Complaint.History) != 2 {
		t.Fatalf("a callback alone: HTTP %d %s", status, body)
	}
	fake.WaitPayIdle(ctx)
	if _, plains, _ := merchant.got(); len(plains) != 3 || !strings.Contains(plains[2], `"USER_APPLY_PLATFORM_SERIVCE"`) {
		t.Errorf("a callback alone: the merchant opened %q", plains)
	}

	// A tampered first attempt: refused; the retry is plain, delivered.
	status, body = adminCall(t, fake, "POST", "/_mock/pay/trigger", `{"complaint_id":"`+id+`","act":"platform-message","text":"平台已介入","tamper_signature":true}`, &tr)
	if status != http.StatusAccepted || tr.Overrides != "tamper-signature" {
		t.Fatalf("a tampered trigger: HTTP %d %s", status, body)
	}
	fake.WaitPayIdle(ctx)
	if _, _, refused := merchant.got(); refused != 1 {
		t.Fatalf("the tampered callback: refused %d, want 1", refused)
	}
	clk.Advance(5 * time.Second)
	fake.WaitPayIdle(ctx)
	if _, plains, _ := merchant.got(); len(plains) != 4 || !strings.Contains(plains[3], string(complaints.ActionResponseByPlatform)) {
		t.Errorf("after the retry the merchant opened %q", plains)
	}

	for _, tc := range []struct {
		body   string
		status int
	}{
		{`{"complaint_id":"` + id + `"}`, http.StatusBadRequest},                                // neither act nor action_type
		{`{"action_type":"USER_RESPONSE"}`, http.StatusBadRequest},                              // no complaint
		{`{"complaint_id":"` + id + `","act":"dance"}`, http.StatusBadRequest},                  // no such act
		{`{"complaint_id":"` + id + `","act":"continue"}`, http.StatusConflict},                 // not PROCESSED
		{`{"complaint_id":"nope","action_type":"USER_RESPONSE"}`, http.StatusNotFound},          // no such complaint
		{`{"complaint_id":"` + id + `","act":"message","stale":"soon"}`, http.StatusBadRequest}, // not a duration
	} {
		if status, body := adminCall(t, fake, "POST", "/_mock/pay/trigger", tc.body, nil); status != tc.status {
			t.Errorf("trigger %s: HTTP %d %s, want %d", tc.body, status, body, tc.status)
		}
	}
}
