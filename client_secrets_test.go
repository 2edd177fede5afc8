package payfeedback_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// wire records every request a client sends (path, raw query, headers and
// body) on its way to the fake WeChat.
type wire struct {
	mu   sync.Mutex
	reqs []wireRequest
}

type wireRequest struct {
	path string
	raw  string // query, headers and body, as sent
}

func (w *wire) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var raw strings.Builder
		raw.WriteString(r.URL.RawQuery)
		for k, vs := range r.Header {
			raw.WriteString("\n" + k + ": " + strings.Join(vs, ","))
		}
		raw.WriteString("\n")
		raw.Write(body)
		w.mu.Lock()
		w.reqs = append(w.reqs, wireRequest{path: r.URL.Path, raw: raw.String()})
		w.mu.Unlock()
		next.ServeHTTP(rw, r)
	})
}

// TestSecretsOnlyWhereTheyBelong: the appSecret travels to the token
// endpoint and nowhere else; the paySignKey never travels at all (it only
// signs). Every call of the client is made once.
func TestSecretsOnlyWhereTheyBelong(t *testing.T) {
	clock := mockwechat.NewVirtualClock(time.Date(2014, 3, 1, 9, 0, 0, 0, time.UTC))
	fake := mockwechat.NewUnstartedServer(mockwechat.Options{Clock: clock})
	t.Cleanup(fake.Close)
	var w wire
	srv := httptest.NewServer(w.wrap(fake))
	t.Cleanup(srv.Close)

	acct := mockwechat.DemoAccount()
	ctx := context.Background()
	comp, err := fake.FileComplaint(ctx, mockwechat.ComplaintSpec{AppID: acct.AppID, Goods: payfeedback.GoodsPhysical})
	if err != nil {
		t.Fatal(err)
	}
	c, err := payfeedback.NewClient(payfeedback.ClientOptions{
		AppID: acct.AppID, Secret: acct.Secret, PaySignKey: acct.PaySignKey,
		BaseURL: srv.URL, HTTPClient: srv.Client(), Now: clock.Now,
	})
	if err != nil {
		t.Fatal(err)
	}

	media, err := c.UploadMedia(ctx, payfeedback.MediaImage, "parcel.jpg", strings.NewReader("\xff\xd8\xff\xe0 JPEG"))
	if err != nil {
		t.Fatalf("UploadMedia: %v", err)
	}
	for _, call := range []struct {
		name string
		do   func() error
	}{
		{"UpdateFeedback", func() error { return c.UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID) }},
		{"SendMessage text", func() error {
			return c.SendMessage(ctx, comp.OpenID, payfeedback.TextMessage{Content: "您的包裹今天发出"})
		}},
		{"SendMessage image", func() error {
			return c.SendMessage(ctx, comp.OpenID, payfeedback.ImageMessage{MediaID: media.ID})
		}},
		{"DeliverNotify", func() error {
			return c.DeliverNotify(ctx, payfeedback.Shipment{OpenID: comp.OpenID, TransID: comp.TransID,
				OutTradeNo: "n1", Status: payfeedback.DeliverShipped})
		}},
	} {
		if err := call.do(); err != nil {
			t.Fatalf("%s: %v", call.name, err)
		}
	}

	paths := map[string]int{}
	for _, r := range w.reqs {
		paths[r.path]++
		hasSecret := strings.Contains(r.raw, acct.Secret)
		if r.path == payfeedback.PathToken && !hasSecret {
			t.Errorf("the token request does not carry the appSecret: %q", r.raw)
		}
		if r.path != payfeedback.PathToken && hasSecret {
			t.Errorf("the appSecret was sent to %s: %q", r.path, r.raw)
		}
		if strings.Contains(r.raw, acct.PaySignKey) {
			t.Errorf("the paySignKey was sent to %s", r.path)
		}
	}
	for _, p := range []string{payfeedback.PathToken, payfeedback.PathUpdateFeedback, payfeedback.PathSendMessage,
		payfeedback.PathDeliverNotify, payfeedback.PathUploadMedia} {
		if paths[p] == 0 {
			t.Errorf("no request reached %s (requests by path: %v)", p, paths)
		}
	}
}
