package mockwechat

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// TestPayAPIFaults: faults on the Complaints 2.0 API answer as their plan
// says, to the repository's client, which verifies every signed answer:
// WeChat's error body with the code, signed, at its status; a gateway's
// plain status; a dropped connection. MchID and Operation narrow a fault,
// Count bounds it, and the call log names the fault a call took.
func TestPayAPIFaults(t *testing.T) {
	fake := NewServer(Options{Pay: &PayOptions{KeysDir: payKeys(t)}})
	defer fake.Close()
	ctx := context.Background()
	client, keys := payClient(t, fake)
	c, err := fake.FilePayComplaint(ctx, PayComplaintSpec{Detail: "没收到货"})
	if err != nil {
		t.Fatal(err)
	}
	id := c.Wire.ComplaintID
	reply := func() error {
		return client.Respond(ctx, id, complaints.ResponseRequest{ComplaintedMchID: keys.MchID, ResponseContent: "您好"})
	}

	for _, tc := range []struct {
		name   string
		fault  Fault
		status int
		code   apiv3.Code
		logged string
	}{
		{"SYSTEM_ERROR", Fault{Code: apiv3.CodeSystemError}, http.StatusInternalServerError, apiv3.CodeSystemError, "code SYSTEM_ERROR"},
		{"FREQUENCY_LIMITED on the reply", Fault{Code: apiv3.CodeFrequencyLimited, Operation: complaints.EndpointResponse, MchID: keys.MchID},
			http.StatusTooManyRequests, apiv3.CodeFrequencyLimited, "code FREQUENCY_LIMITED"},
		{"a code of another status", Fault{Code: "SOMETHING_NEW", HTTPStatus: http.StatusConflict}, http.StatusConflict, "SOMETHING_NEW", "code SOMETHING_NEW"},
		{"a gateway's 502", Fault{HTTPStatus: http.StatusBadGateway}, http.StatusBadGateway, "", "http 502"},
		{"delayed, then SYSTEM_ERROR", Fault{Code: apiv3.CodeSystemError, Delay: time.Millisecond}, http.StatusInternalServerError, apiv3.CodeSystemError, "delay 1ms+code SYSTEM_ERROR"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.fault.Endpoint = EndpointPayAPI
			if err := fake.AddFault(tc.fault); err != nil {
				t.Fatal(err)
			}
			err := reply()
			var ae *apiv3.Error
			if !errors.As(err, &ae) || ae.StatusCode != tc.status || ae.Code != tc.code {
				t.Fatalf("reply: %v; want HTTP %d %s", err, tc.status, tc.code)
			}
			if got := fake.Faults(); len(got) != 0 {
				t.Errorf("faults left after one use: %+v", got)
			}
			last, err := fake.WaitForCall(ctx, func(c Call) bool { return c.Fault == tc.logged })
			if err != nil || last.Status != tc.status || last.MchID != keys.MchID {
				t.Errorf("the call log: %+v, %v; want status %d, the fault %q", last, err, tc.status, tc.logged)
			}
		})
	}

	t.Run("dropped", func(t *testing.T) {
		fake.InjectFault(Fault{Endpoint: EndpointPayAPI, Drop: true})
		err := reply()
		var ae *apiv3.Error
		if err == nil || errors.As(err, &ae) {
			t.Fatalf("reply: %v; want a transport error, no answer", err)
		}
		if _, err := fake.WaitForCall(ctx, func(c Call) bool { return c.Fault == "drop" && c.Status == 0 }); err != nil {
			t.Error(err)
		}
	})

	t.Run("narrowed to another merchant or endpoint", func(t *testing.T) {
		fake.InjectFault(Fault{Endpoint: EndpointPayAPI, Code: apiv3.CodeSystemError, MchID: "1900000999"})
		fake.InjectFault(Fault{Endpoint: EndpointPayAPI, Code: apiv3.CodeSystemError, Operation: complaints.EndpointComplete})
		if err := reply(); err != nil {
			t.Errorf("reply with faults for another merchant and for complete: %v", err)
		}
		if n := len(fake.Faults()); n != 2 {
			t.Errorf("%d faults left, want both", n)
		}
		fake.ClearFaults()
	})

	t.Run("retried by a client with a RetryPolicy", func(t *testing.T) {
		signer, _ := keys.Signer(time.Now)
		verifier, _ := keys.Verifier(time.Now)
		retrying, err := complaints.NewClient(complaints.ClientOptions{API: apiv3.ClientOptions{BaseURL: fake.URL, MchID: keys.MchID,
			Signer: signer, Verifier: verifier, HTTPClient: fake.Client(),
			Retry: &apiv3.RetryPolicy{Attempts: 3, Backoff: time.Millisecond, MaxBackoff: time.Millisecond}}})
		if err != nil {
			t.Fatal(err)
		}
		fake.InjectFault(Fault{Endpoint: EndpointPayAPI, Code: apiv3.CodeSystemError, Operation: complaints.EndpointDetail, Count: 2})
		d, err := retrying.Detail(ctx, id)
		if err != nil || d.ComplaintID != id {
			t.Fatalf("Detail through two SYSTEM_ERRORs: %+v, %v", d, err)
		}
		var faulted int
		for _, c := range fake.Calls() {
			if strings.HasPrefix(c.Endpoint, complaints.PathComplaint(id)) && c.Method == http.MethodGet && c.Fault == "code SYSTEM_ERROR" {
				faulted++
			}
		}
		if faulted != 2 {
			t.Errorf("%d detail calls took the fault, want 2", faulted)
		}
	})
}

// TestPayAPIFaultsRefused: a Complaints 2.0 API fault that makes no sense
// is refused, saying why, and nothing is added.
func TestPayAPIFaultsRefused(t *testing.T) {
	fake := NewServer(Options{Pay: &PayOptions{KeysDir: payKeys(t)}})
	defer fake.Close()
	for _, tc := range []struct {
		name  string
		fault Fault
		want  string
	}{
		{"nothing to do", Fault{}, "does nothing"},
		{"an unknown operation", Fault{Operation: "refund"}, "Operation"},
		{"a code in lower case", Fault{Code: "system_error"}, "capitals"},
		{"a code of unknown status", Fault{Code: "SOMETHING_NEW"}, "HTTPStatus"},
		{"drop with a code", Fault{Drop: true, Code: apiv3.CodeSystemError}, "Drop"},
		{"a V1.5 errcode", Fault{ErrCode: 45009}, "ErrCode"},
		{"a callback's field", Fault{Code: apiv3.CodeSystemError, TamperBody: true}, "callbacks"},
		{"a status out of range", Fault{HTTPStatus: 200}, "400 to 599"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.fault.Endpoint = EndpointPayAPI
			err := fake.AddFault(tc.fault)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("AddFault: %v; want an error naming %q", err, tc.want)
			}
		})
	}
	for _, f := range []Fault{{Endpoint: EndpointPayCallback, Drop: true, Code: apiv3.CodeSystemError}, {Code: apiv3.CodeSystemError}, {Endpoint: EndpointPush, Drop: true, Operation: complaints.EndpointDetail}} {
		if err := fake.AddFault(f); err == nil || !strings.Contains(err.Error(), "pay-api") {
			t.Errorf("AddFault(%+v): %v; want Code and Operation refused outside pay-api", f, err)
		}
	}
	if n := len(fake.Faults()); n != 0 {
		t.Errorf("%d faults added", n)
	}

	// The admin API takes them in JSON, durations as strings.
	for body, status := range map[string]int{
		`{"endpoint":"pay-api","code":"SYSTEM_ERROR","operation":"response","mchid":"1900000001","count":2,"delay":"10ms"}`: http.StatusCreated,
		`{"endpoint":"pay-api","operation":"refund","code":"SYSTEM_ERROR"}`:                                                 http.StatusBadRequest,
	} {
		resp, err := fake.Client().Post(fake.URL+"/_mock/faults", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != status {
			t.Errorf("POST /_mock/faults %s: HTTP %d, want %d", body, resp.StatusCode, status)
		}
	}
	if f := fake.Faults(); len(f) != 1 || f[0].Code != apiv3.CodeSystemError || f[0].Operation != complaints.EndpointResponse || f[0].Count != 2 || f[0].Delay != 10*time.Millisecond {
		t.Errorf("faults after the admin API: %+v", f)
	}

	// Without Complaints 2.0, a Complaints 2.0 fault would never fire.
	off := NewServer(Options{})
	defer off.Close()
	for _, f := range []Fault{{Endpoint: EndpointPayAPI, Code: apiv3.CodeSystemError}, {Endpoint: EndpointPayCallback, Drop: true}} {
		if err := off.AddFault(f); err == nil || !strings.Contains(err.Error(), "Complaints 2.0") {
			t.Errorf("AddFault(%+v) with Complaints 2.0 off: %v", f, err)
		}
	}
}
