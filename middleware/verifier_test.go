package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// TestVerifierAnswersAsTheMiddleware: for every body of the hostile corpus
// and of the cases below, Verify then Claim refuse with the status the
// middleware answers, or accept what it accepts.
func TestVerifierAnswersAsTheMiddleware(t *testing.T) {
	bodies := map[string][]byte{
		"valid":         signedSample(t, nil),
		"bad signature": signed(t, sample(), "wrong"),
		"unknown app":   signedSample(t, func(n *payfeedback.Notification) { n.AppID = "wx-unknown" }),
		"too old":       signedAt(t, 1),
		"too new":       signedAt(t, testUnix+3600),
		"no signature":  []byte(strings.Replace(string(signedSample(t, nil)), "<AppSignature>", "<Nothing>", 1)),
		"too large":     bytes.Repeat([]byte("x"), payfeedback.MaxNotificationSize+1),
		"empty":         nil,
	}
	files, err := filepath.Glob(filepath.Join("..", "testdata", "hostile", "*.xml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("the hostile corpus: %v (%d files)", err, len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		bodies[filepath.Base(f)] = b
	}
	ctx := context.Background()
	for name, body := range bodies {
		t.Run(name, func(t *testing.T) {
			cfg := baseConfig()
			cfg.Logger = slog.New(slog.DiscardHandler)
			v, err := middleware.NewVerifier(cfg)
			if err != nil {
				t.Fatal(err)
			}
			want := serve(middleware.New(cfg)(&recorder{}), post(body)).Code
			got := 200
			n, err := v.Verify(ctx, body)
			if err == nil {
				var c middleware.Claim
				if c, err = v.Claim(ctx, n); err == nil && c.Duplicate() {
					t.Fatalf("a fresh Verifier found a duplicate")
				}
			}
			if err != nil {
				var e *middleware.Error
				if !errors.As(err, &e) {
					t.Fatalf("error %v (%T), want an *Error", err, err)
				}
				got = e.Status
			}
			if got != want {
				t.Fatalf("Verifier: %d (%v), middleware: %d", got, err, want)
			}
		})
	}
}

// TestVerifierClaims: a claim completed makes the next copy a duplicate; a
// claim released lets the next copy be handled; Complete and Release of a
// duplicate do nothing; of a zero Claim, they fail.
func TestVerifierClaims(t *testing.T) {
	ctx := context.Background()
	cfg := baseConfig()
	cfg.InFlightWait = time.Millisecond
	v, err := middleware.NewVerifier(cfg)
	if err != nil {
		t.Fatal(err)
	}
	n, err := v.Verify(ctx, signedSample(t, nil))
	if err != nil {
		t.Fatal(err)
	}
	c, err := v.Claim(ctx, n)
	if err != nil || c.Duplicate() {
		t.Fatalf("Claim = %v, %v", c.Duplicate(), err)
	}
	var e *middleware.Error
	if _, err := v.Claim(ctx, n); !errors.Is(err, middleware.ErrInFlight) || !errors.As(err, &e) || e.Status != 503 || e.RetryAfter <= 0 {
		t.Fatalf("second claim while the first is held: %v, want a 503 ErrInFlight with RetryAfter", err)
	}
	if err := c.Release(ctx); err != nil {
		t.Fatal(err)
	}
	c2, err := v.Claim(ctx, n)
	if err != nil || c2.Duplicate() {
		t.Fatalf("after Release: Claim = duplicate %v, %v; want new", c2.Duplicate(), err)
	}
	if err := c2.Complete(ctx); err != nil {
		t.Fatal(err)
	}
	dup, err := v.Claim(ctx, n)
	if err != nil || !dup.Duplicate() {
		t.Fatalf("after Complete: Claim = duplicate %v, %v; want duplicate", dup.Duplicate(), err)
	}
	if dup.Complete(ctx) != nil || dup.Release(ctx) != nil {
		t.Fatal("Complete or Release of a duplicate failed")
	}
	if again, _ := v.Claim(ctx, n); !again.Duplicate() {
		t.Fatal("Release of a duplicate dropped the entry")
	}
	var zero middleware.Claim
	if zero.Complete(ctx) == nil || zero.Release(ctx) == nil {
		t.Fatal("Complete and Release of a zero Claim succeeded")
	}
}

func TestNewVerifierRefusesBadConfig(t *testing.T) {
	if _, err := middleware.NewVerifier(middleware.Config{}); err == nil {
		t.Fatal("NewVerifier without Keys succeeded")
	}
	if _, err := middleware.NewVerifier(middleware.Config{Keys: middleware.StaticKeys{testAppID: ""}}); err == nil {
		t.Fatal("NewVerifier with an empty key succeeded")
	}
}
