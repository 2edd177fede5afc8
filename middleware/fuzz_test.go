package middleware_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	k, err := c.r.Read(p)
	c.n += k
	return k, err
}

// FuzzMiddleware sends arbitrary bodies through the middleware: it must not
// panic, must read at most MaxBodySize+1 bytes, and must run the next
// handler exactly for the bodies an independent check finds well-formed,
// signed by a known key and fresh, with that notification in the context.
func FuzzMiddleware(f *testing.F) {
	const limit = 4096
	for _, b := range fuzzSeeds(f) {
		f.Add(b)
	}
	keys := middleware.StaticKeys{testAppID: testKey, otherAppID: otherKey}
	f.Fuzz(func(t *testing.T, body []byte) {
		next := &recorder{}
		h := middleware.New(middleware.Config{Keys: keys, Now: fixedNow, MaxBodySize: limit})(next)
		cr := &countingReader{r: bytes.NewReader(body)}
		r := httptest.NewRequest(http.MethodPost, testPath, cr) // length unknown: read to the limit
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)

		if cr.n > limit+1 {
			t.Fatalf("read %d bytes of a %d-byte body, limit %d", cr.n, len(body), limit)
		}
		want, ok := oracle(body, keys, limit)
		ran := next.runs.Load() == 1
		if ran != ok {
			t.Fatalf("next ran: %v, independent check: %v; status %d %q", ran, ok, w.Code, w.Body.String())
		}
		if !ok {
			if w.Code < 400 {
				t.Fatalf("refused body answered %d", w.Code)
			}
			return
		}
		if w.Code != 200 {
			t.Fatalf("accepted body answered %d", w.Code)
		}
		if diff := cmp.Diff(want, next.last()); diff != "" {
			t.Fatalf("FromContext differs (-want +got):\n%s", diff)
		}
	})
}

// oracle decides from the root package alone whether body should pass.
func oracle(body []byte, keys middleware.StaticKeys, limit int) (*payfeedback.Notification, bool) {
	if len(body) > limit {
		return nil, false
	}
	n, err := payfeedback.ParseNotification(body)
	if err != nil {
		return nil, false
	}
	key, err := keys.PaySignKey(context.Background(), n.AppID)
	if err != nil || key == "" {
		return nil, false
	}
	if err := n.Verify(key); err != nil {
		return nil, false
	}
	ts, err := n.Unix()
	if err != nil || ts < testUnix-600 || ts > testUnix+60 {
		return nil, false
	}
	return n, true
}

func fuzzSeeds(tb testing.TB) [][]byte {
	valid := signedSample(tb, nil)
	other := sample()
	other.AppID = otherAppID
	seeds := [][]byte{
		valid,
		signed(tb, other, otherKey),
		signedSample(tb, func(n *payfeedback.Notification) {
			n.MsgType, n.TransID, n.Solution, n.ExtInfo, n.PicURLs = payfeedback.MsgConfirm, "", "", "", nil
		}),
		signedSample(tb, func(n *payfeedback.Notification) { n.MsgType = payfeedback.MsgReject; n.SignMethod = "SHA1" }),
		signedSample(tb, func(n *payfeedback.Notification) { n.TimeStamp = "1764200999" }),
		signed(tb, sample(), "wrong key"),
		[]byte(strings.ReplaceAll(string(valid), "<![CDATA[", "<![CDATA[ ")),
		[]byte(`<?xml version="1.0" encoding="UTF-8"?>` + string(valid)),
		[]byte(`<!DOCTYPE xml [<!ENTITY a "aaaa">]><xml>&a;</xml>`),
		[]byte("<xml></xml>"),
		[]byte(""),
		bytes.Repeat([]byte("<xml>"), 100),
		padded(valid, 5000),
	}
	return seeds
}

func TestFuzzSeedsPass(t *testing.T) {
	// The seeds cover both outcomes, so the fuzz target's oracle is
	// exercised both ways by go test alone.
	keys := middleware.StaticKeys{testAppID: testKey, otherAppID: otherKey}
	var pass, refuse int
	for _, b := range fuzzSeeds(t) {
		if _, ok := oracle(b, keys, 4096); ok {
			pass++
		} else {
			refuse++
		}
	}
	if pass < 4 || refuse < 5 {
		t.Fatalf("seeds: %d pass, %d refused; want both outcomes covered", pass, refuse)
	}
}
