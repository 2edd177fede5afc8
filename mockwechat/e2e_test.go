package mockwechat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// merchant is a small merchant service: the payfeedback middleware in
// front of handlers that mark each complaint handled through the API.
type merchant struct {
	fake *mockwechat.Server
	acc  mockwechat.Account

	mu   sync.Mutex
	seen []payfeedback.MsgType
}

func (m *merchant) apiGet(ctx context.Context, path string, q url.Values) (payfeedback.APIError, map[string]any, error) {
	req, _ := http.NewRequestWithContext(ctx, "GET", m.fake.URL+path+"?"+q.Encode(), nil)
	resp, err := m.fake.Client().Do(req)
	if err != nil {
		return payfeedback.APIError{}, nil, err
	}
	defer resp.Body.Close()
	var body map[string]any
	var ae payfeedback.APIError
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return ae, nil, err
	}
	if c, ok := body["errcode"].(float64); ok {
		ae.Code = payfeedback.ErrorCode(c)
	}
	return ae, body, nil
}

func (m *merchant) onRequest(ctx context.Context, n *payfeedback.Notification) error {
	m.record(n.MsgType)
	ae, tok, err := m.apiGet(ctx, payfeedback.PathToken, url.Values{"grant_type": {"client_credential"}, "appid": {m.acc.AppID}, "secret": {m.acc.Secret}})
	if err != nil || ae.Code != 0 {
		return fmt.Errorf("token: %v %v", ae, err)
	}
	ae, _, err = m.apiGet(ctx, payfeedback.PathUpdateFeedback, url.Values{"access_token": {tok["access_token"].(string)},
		"openid": {n.OpenID}, "feedbackid": {n.FeedBackID}})
	if err != nil || ae.Code != 0 {
		return fmt.Errorf("update: %v %v", ae, err)
	}
	return nil
}

func (m *merchant) record(t payfeedback.MsgType) {
	m.mu.Lock()
	m.seen = append(m.seen, t)
	m.mu.Unlock()
}

func (m *merchant) kinds() []payfeedback.MsgType {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]payfeedback.MsgType(nil), m.seen...)
}

// TestEndToEnd: the fake pushes a complaint, the merchant's middleware
// verifies it, its handler calls /payfeedback/update over HTTP, the fake
// records the complaint handled, the simulated user confirms, and the
// confirm notification arrives verified.
func TestEndToEnd(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	clk := mockwechat.NewVirtualClock(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
	acc := mockwechat.DemoAccount()
	fake := mockwechat.NewServer(mockwechat.Options{Clock: clk, Accounts: []mockwechat.Account{acc}})
	defer fake.Close()

	m := &merchant{fake: fake, acc: acc}
	mw := middleware.New(middleware.Config{
		Keys: middleware.StaticKeys{acc.AppID: acc.PaySignKey},
		Now:  fake.Now,
		// The forged copy below must be refused, not taken and reported.
		SharedSignature: middleware.RefuseSharedSignature,
	})
	receiver := httptest.NewServer(mw(middleware.Dispatcher{
		OnRequest: m.onRequest,
		OnConfirm: func(ctx context.Context, n *payfeedback.Notification) error { m.record(n.MsgType); return nil },
		OnReject:  func(ctx context.Context, n *payfeedback.Notification) error { m.record(n.MsgType); return nil },
	}))
	defer receiver.Close()
	if err := fake.SetNotifyURL(acc.AppID, receiver.URL); err != nil {
		t.Fatal(err)
	}

	c, err := fake.FileComplaint(ctx, mockwechat.ComplaintSpec{OpenID: "oUser1", Reason: "没收到货", Goods: payfeedback.GoodsPhysical})
	if err != nil {
		t.Fatal(err)
	}
	call, err := fake.WaitForCall(ctx, mockwechat.CallTo(payfeedback.PathUpdateFeedback, "feedbackid", c.FeedBackID))
	if err != nil {
		for _, d := range fake.Deliveries() {
			t.Logf("delivery %+v", d)
		}
		for _, c := range fake.Calls() {
			t.Logf("call %+v", c)
		}
		t.Fatal(err)
	}
	if call.ErrCode != 0 || call.Query.Get("openid") != "oUser1" {
		t.Fatalf("merchant's update call: %+v", call)
	}
	handled, err := fake.WaitForComplaint(ctx, c.FeedBackID, func(c mockwechat.Complaint) bool { return c.State == mockwechat.StateHandled })
	if err != nil {
		t.Fatal(err)
	}
	if handled.Updates != 1 {
		t.Fatalf("handled complaint: %+v", handled)
	}
	// The user confirms a minute later: in the same second, the confirm
	// push would carry the request's TimeStamp and AppSignature (the
	// signature covers only AppId, appkey, TimeStamp and OpenId), which
	// the middleware refuses as a suspected forgery (409).
	clk.Advance(time.Minute)
	if err := fake.Confirm(ctx, c.FeedBackID); err != nil {
		t.Fatal(err)
	}
	d, err := fake.WaitForDelivery(ctx, mockwechat.DeliveryDone(c.FeedBackID, payfeedback.MsgConfirm))
	if err != nil {
		t.Fatal(err)
	}
	if !d.Delivered || d.Attempts[0].Status != 200 || d.Attempts[0].Response != "success" {
		t.Fatalf("confirm delivery: %+v", d)
	}
	if got := m.kinds(); len(got) != 2 || got[0] != payfeedback.MsgRequest || got[1] != payfeedback.MsgConfirm {
		t.Fatalf("merchant handled %v, want [request confirm]", got)
	}
	final, _ := fake.Complaint(c.FeedBackID)
	if final.State != mockwechat.StateConfirmed || final.Open() {
		t.Fatalf("final complaint: %+v", final)
	}
}

// TestMiddlewareAgainstFaults: the fake's push faults against the real
// middleware: a duplicate is acknowledged but handled once, a forged copy
// (same signature, other fields) is refused, a tampered signature is
// refused and the retry delivered.
func TestMiddlewareAgainstFaults(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	clk := mockwechat.NewVirtualClock(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
	acc := mockwechat.DemoAccount()
	fake := mockwechat.NewServer(mockwechat.Options{Clock: clk, Accounts: []mockwechat.Account{acc}})
	defer fake.Close()
	var mu sync.Mutex
	handled := map[string]int{}
	mw := middleware.New(middleware.Config{Keys: middleware.StaticKeys{acc.AppID: acc.PaySignKey}, Now: fake.Now,
		SharedSignature: middleware.RefuseSharedSignature}) // the forged copies must be refused
	receiver := httptest.NewServer(mw(middleware.Dispatcher{
		OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
			mu.Lock()
			handled[n.FeedBackID]++
			mu.Unlock()
			return nil
		},
	}))
	defer receiver.Close()
	fake.SetNotifyURL(acc.AppID, receiver.URL)

	fake.InjectFault(mockwechat.Fault{Endpoint: mockwechat.EndpointPush, Duplicate: true, TamperFields: true})
	c, _ := fake.FileComplaint(ctx, mockwechat.ComplaintSpec{})
	d, err := fake.WaitForDelivery(ctx, mockwechat.DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Attempts) != 3 || d.Attempts[0].Status != 200 || d.Attempts[1].Status != 200 || d.Attempts[2].Status < 400 {
		for _, a := range d.Attempts {
			t.Logf("attempt %s: %d %q", a.Fault, a.Status, a.Response)
		}
		t.Fatal("want genuine 200, duplicate 200, forged copy refused")
	}

	fake.InjectFault(mockwechat.Fault{Endpoint: mockwechat.EndpointPush, TamperSignature: true})
	c2, _ := fake.FileComplaint(ctx, mockwechat.ComplaintSpec{})
	fake.WaitIdle(ctx)
	clk.Advance(15 * time.Second)
	d, _ = fake.WaitForDelivery(ctx, mockwechat.DeliveryDone(c2.FeedBackID, payfeedback.MsgRequest))
	if !d.Delivered || d.Attempts[0].Status < 400 || !d.Attempts[1].OK {
		t.Fatalf("tampered signature then retry: %+v", d.Attempts)
	}
	mu.Lock()
	defer mu.Unlock()
	if handled[c.FeedBackID] != 1 || handled[c2.FeedBackID] != 1 || len(handled) != 2 {
		t.Fatalf("handler runs: %v", handled)
	}
}
