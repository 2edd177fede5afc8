package mockwechat

import (
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

// TestPushTargets: pushes go to loopback and the allowed hosts; a
// notify_url elsewhere is refused before the fake connects, recorded as a
// failed attempt that says what to allow, with no answer read.
// Options.AllowNotify widens the rule. The fake pushed anywhere and kept
// 256 bytes of the answer for whoever set the notify_url: 0.0.0.0 reached
// a local service, 169.254.169.254 a cloud's metadata. The refused cases
// never touch the network: the rule refuses them before dialling (see
// push.TestTargetsDecision).
func TestPushTargets(t *testing.T) {
	rcv := newReceiver(t, "k")
	port := rcv.URL[strings.LastIndex(rcv.URL, ":"):]
	for _, tt := range []struct {
		name   string
		url    string
		allow  []string
		refuse string // "": delivered; else in the attempt's error
	}{
		{name: "loopback", url: rcv.URL},
		{name: "localhost", url: "http://localhost" + port},
		{name: "0.0.0.0 reaching a local service", url: "http://0.0.0.0" + port, refuse: "--allow-notify 0.0.0.0/32, or push to 127.0.0.1"},
		{name: "cloud metadata", url: "http://169.254.169.254/latest/meta-data/", refuse: "--allow-notify 169.254.169.254/32"},
		{name: "a private address", url: "http://10.0.0.1:6379/", refuse: "Options.AllowNotify or payfeedback mock --allow-notify 10.0.0.1/32"},
		{name: "allowed by AllowNotify", url: "http://0.0.0.0" + port, allow: []string{"0.0.0.0/32"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newVirtual(t, Options{AllowNotify: tt.allow, RetrySchedule: []time.Duration{},
				Accounts: []Account{{AppID: "wxa", Secret: "s", PaySignKey: "k", NotifyURL: tt.url}}})
			ctx := testCtx(t)
			c, err := s.FileComplaint(ctx, ComplaintSpec{})
			if err != nil {
				t.Fatal(err)
			}
			d, err := s.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
			if err != nil {
				t.Fatal(err)
			}
			a := d.Attempts[0]
			if tt.refuse == "" {
				if !d.Delivered || a.Response != "success" {
					t.Fatalf("to %s: %+v", tt.url, a)
				}
				return
			}
			if d.Delivered || a.Status != 0 || a.Response != "" || !strings.Contains(a.Err, tt.refuse) {
				t.Fatalf("to %s: delivered %v, HTTP %d, answer %q, error %q; want refused before connecting, saying %q",
					tt.url, d.Delivered, a.Status, a.Response, a.Err, tt.refuse)
			}
		})
	}
	if got := rcv.notifications(); len(got) != 3 {
		t.Errorf("the receiver got %d notifications, want 3 (loopback, localhost, 0.0.0.0 allowed)", len(got))
	}
	if _, err := New(Options{AllowNotify: []string{"10.0.0.0/33"}}); err == nil || !strings.Contains(err.Error(), "10.0.0.0/33") {
		t.Errorf("a bad CIDR: %v", err)
	}
}
