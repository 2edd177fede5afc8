package main

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestMetricsEndpoint: a complaint pushed by the fake, a forged
// notification, a duplicate and a copy sharing the genuine signature show
// on /metrics with their outcomes, and the client's calls with their
// endpoints and errcodes.
func TestMetricsEndpoint(t *testing.T) {
	fake := mockwechat.NewServer(mockwechat.Options{})
	defer fake.Close()
	demo := mockwechat.DemoAccount()
	reg := prometheus.NewRegistry()
	h, err := newServer(account{AppID: demo.AppID, Secret: demo.Secret, PaySignKey: demo.PaySignKey, BaseURL: fake.URL},
		newPrometheusMetrics(reg), reg, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	defer srv.Close()
	if err := fake.SetNotifyURL(demo.AppID, srv.URL+notifyPath); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, err := fake.FileComplaint(ctx, mockwechat.ComplaintSpec{Reason: "商品质量有问题", Goods: payfeedback.GoodsPhysical})
	if err != nil {
		t.Fatal(err)
	}
	d, err := fake.WaitForDelivery(ctx, mockwechat.DeliveryDone(c.FeedBackID, payfeedback.MsgRequest))
	if err != nil {
		t.Fatal(err)
	}
	// The same document again (a duplicate), then one with a wrong key.
	n := &payfeedback.Notification{AppID: demo.AppID, TimeStamp: "1", OpenID: "o", MsgType: payfeedback.MsgConfirm, FeedBackID: "1"}
	if err := n.Sign("not-the-key"); err != nil {
		t.Fatal(err)
	}
	forged, err := n.Encode()
	if err != nil {
		t.Fatal(err)
	}
	var genuine string
	for _, a := range d.Attempts {
		genuine = a.Body
	}
	// The genuine signature with another FeedBackId: taken, and counted as
	// a shared signature.
	shared := strings.Replace(genuine, c.FeedBackID, c.FeedBackID[:len(c.FeedBackID)-1]+"x", 1)
	for _, body := range []string{genuine, string(forged), shared} {
		resp, err := http.Post(srv.URL+notifyPath, "text/xml", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	page := string(b)
	for _, want := range []string{
		`payfeedback_notifications_total{outcome="accepted",reason=""} 1`,
		`payfeedback_notifications_total{outcome="duplicate",reason=""} 1`,
		`payfeedback_notifications_total{outcome="refused",reason="bad_signature"} 1`,
		`payfeedback_notification_seconds_count{outcome="accepted"} 1`,
		`payfeedback_replay_degraded_total 0`,
		`payfeedback_shared_signatures_total 1`,
		`payfeedback_wechat_requests_total{endpoint="/cgi-bin/token",errcode="0"} 1`,
		`payfeedback_wechat_requests_total{endpoint="/payfeedback/update",errcode="0"} 1`,
		`payfeedback_wechat_requests_total{endpoint="/payfeedback/update",errcode="47001"} 1`, // the shared copy's FeedBackId
		`payfeedback_wechat_request_seconds_count{endpoint="/payfeedback/update"} 2`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if t.Failed() {
		t.Logf("/metrics:\n%s", page)
	}
}

// TestErrcodeLabel: the errcode label of each kind of answer.
func TestErrcodeLabel(t *testing.T) {
	tests := map[string]payfeedback.CallObservation{
		"0":         {Status: 200},
		"-1":        {Status: 200, Code: payfeedback.CodeSystemError},
		"45015":     {Status: 200, Code: payfeedback.CodeOutOfWindow},
		"http_502":  {Status: 502},
		"no_answer": {},
	}
	for want, o := range tests {
		if got := errcodeLabel(o); got != want {
			t.Errorf("errcodeLabel(%+v) = %q, want %q", o, got, want)
		}
	}
}

// TestLibraryDoesNotImportPrometheus: client_golang stays in this example,
// out of the import graph of every package of the library.
func TestLibraryDoesNotImportPrometheus(t *testing.T) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command is not on $PATH: %v", err)
	}
	out, err := exec.Command(goBin, "list", "-f", "{{.ImportPath}}", "../../...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var lib []string // the module's packages but the examples
	for _, p := range strings.Fields(string(out)) {
		if !strings.Contains(p, "/examples/") {
			lib = append(lib, p)
		}
	}
	if len(lib) < 5 {
		t.Fatalf("only %d library packages listed: %v", len(lib), lib)
	}
	args := append([]string{"list", "-deps", "-f", "{{.ImportPath}}"}, lib...)
	out, err = exec.Command(goBin, args...).Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, p := range strings.Fields(string(out)) {
		if strings.Contains(p, "prometheus") {
			t.Errorf("a library package depends on %s", p)
		}
	}
}
