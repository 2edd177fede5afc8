package mockwechat

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// payMerchantServer is a merchant's callback endpoint that verifies each
// callback with the keys the fake gave it, decrypts it, and answers 204 to
// what verifies and 401 to the rest.
type payMerchantServer struct {
	*httptest.Server
	mu        sync.Mutex
	opened    []map[string]any // the decrypted plaintexts, in arrival order
	plains    []string         // the same, as received (unknown members and all)
	envelopes []string         // the envelopes of what it opened
	refused   int
}

func newPayMerchantServer(t *testing.T, fake *Server) *payMerchantServer {
	t.Helper()
	keys, err := fake.PayMerchantKeys()
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := keys.Verifier(time.Now)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := apiv3.NewAEAD(keys.APIv3Key)
	if err != nil {
		t.Fatal(err)
	}
	m := &payMerchantServer{}
	m.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var plain map[string]any
		var b []byte
		err := verifier.Verify(apiv3.SignatureHeadersOf(r.Header), body)
		if err == nil {
			var n *apiv3.Notification
			if n, err = apiv3.ParseNotification(body); err == nil {
				if b, err = aead.OpenResource(&n.Resource); err == nil {
					err = json.Unmarshal(b, &plain)
				}
			}
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		if err != nil {
			m.refused++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		m.opened = append(m.opened, plain)
		m.plains, m.envelopes = append(m.plains, string(b)), append(m.envelopes, string(body))
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(m.Close)
	return m
}

// got returns the envelopes and plaintexts opened, and how many callbacks
// were refused.
func (m *payMerchantServer) got() (envelopes, plains []string, refused int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.envelopes...), append([]string(nil), m.plains...), m.refused
}

func (m *payMerchantServer) counts() (int, int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.opened), m.refused
}

// TestPayCallbacks: the user's acts reach the merchant's callback URL as
// signed, encrypted callbacks it verifies with the keys the fake gave it;
// the merchant's own acts send none; a probe is refused by a verifying
// merchant and judged right; a tampered callback is refused and its retry
// delivered under the same id; a resend keeps the id.
func TestPayCallbacks(t *testing.T) {
	clk := NewVirtualClock(time.Now().Truncate(time.Second))
	fake := NewServer(Options{Clock: clk, Pay: &PayOptions{KeysDir: payKeys(t)}})
	defer fake.Close()
	merchant := newPayMerchantServer(t, fake)
	ctx := context.Background()
	if err := fake.SetPayNotifyURL("", merchant.URL); err != nil {
		t.Fatal(err)
	}
	sub := fake.Subscribe(256)
	defer sub.Close()

	c, err := fake.FilePayComplaint(ctx, PayComplaintSpec{})
	if err != nil {
		t.Fatal(err)
	}
	id := c.Wire.ComplaintID
	if _, err := fake.PayAct(ctx, id, PayActMessage, PayActInput{Text: "还没收到退款"}); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitPayIdle(ctx); err != nil {
		t.Fatal(err)
	}
	client, keys := payClient(t, fake)
	if err := client.Respond(ctx, id, complaints.ResponseRequest{ComplaintedMchID: keys.MchID, ResponseContent: "已处理"}); err != nil {
		t.Fatal(err)
	}
	if err := fake.WaitPayIdle(ctx); err != nil {
		t.Fatal(err)
	}
	opened, refused := merchant.counts()
	if opened != 2 || refused != 0 {
		t.Fatalf("the merchant opened %d callbacks and refused %d, want 2 and 0 (the merchant's reply sends none)", opened, refused)
	}
	merchant.mu.Lock()
	first, second := merchant.opened[0], merchant.opened[1]
	merchant.mu.Unlock()
	if first["complaint_id"] != id || first["action_type"] != string(complaints.ActionCreateComplaint) || second["action_type"] != string(complaints.ActionUserResponse) {
		t.Errorf("callbacks %v, %v: want CREATE_COMPLAINT then USER_RESPONSE of %s", first, second, id)
	}

	// a probe: the verifying merchant refuses it, as it must
	if _, err := fake.PayProbe(""); err != nil {
		t.Fatal(err)
	}
	fake.WaitPayIdle(ctx)
	if _, refused := merchant.counts(); refused != 1 {
		t.Errorf("the probe: refused %d times, want 1", refused)
	}

	// a tampered signature: refused, then the retry (on the fake's clock) delivered under the same id
	if err := fake.AddFault(Fault{Endpoint: EndpointPayCallback, TamperSignature: true, ActionType: complaints.ActionResponseByPlatform}); err != nil {
		t.Fatal(err)
	}
	if _, err := fake.PayAct(ctx, id, PayActPlatformMessage, PayActInput{Text: "平台已介入"}); err != nil {
		t.Fatal(err)
	}
	fake.WaitPayIdle(ctx)
	if _, refused := merchant.counts(); refused != 2 {
		t.Fatalf("the tampered callback: refused %d times in all, want 2", refused)
	}
	clk.Advance(time.Minute)
	fake.WaitPayIdle(ctx)
	if opened, _ := merchant.counts(); opened != 3 {
		t.Errorf("after the retry the merchant opened %d callbacks, want 3", opened)
	}

	// the feed told the attempts; resend keeps the id
	var notif string
	deadline := time.After(10 * time.Second)
	for notif == "" {
		select {
		case e := <-sub.Events():
			if e.Kind == EventPayCallback && e.PayCallback.Phase == "delivered" && e.PayCallback.Delivery.ActionType == complaints.ActionCreateComplaint {
				notif = e.PayCallback.Delivery.ID
			}
		case <-deadline:
			t.Fatal("no pay-callback event of the delivered CREATE_COMPLAINT")
		}
	}
	again, err := fake.PayResend(notif)
	if err != nil || again != notif {
		t.Fatalf("PayResend(%s) = %s, %v; want the same id", notif, again, err)
	}
	fake.WaitPayIdle(ctx)
	if opened, _ := merchant.counts(); opened != 4 {
		t.Errorf("after the resend the merchant opened %d callbacks, want 4", opened)
	}
	if _, err := fake.PayResend("nope"); err == nil {
		t.Error("PayResend of an unknown id: no error")
	}
}
