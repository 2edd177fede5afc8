package middleware_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

func TestDispatcher(t *testing.T) {
	errDB := errors.New("insert complaint: connection refused")
	tests := []struct {
		name    string
		msgType payfeedback.MsgType
		ret     error // what the called function returns
		noCtx   bool  // request without the middleware
		want    int
		called  string
		wantErr error
	}{
		{name: "request", msgType: payfeedback.MsgRequest, want: 200, called: "request"},
		{name: "confirm", msgType: payfeedback.MsgConfirm, want: 200, called: "confirm"},
		{name: "reject", msgType: payfeedback.MsgReject, want: 200, called: "reject"},
		{name: "function fails: 500", msgType: payfeedback.MsgRequest, ret: errDB, want: 500, called: "request", wantErr: middleware.ErrHandler},
		{name: "function fails with *Error", msgType: payfeedback.MsgConfirm,
			ret: &middleware.Error{Status: 503, Reason: "maintenance"}, want: 503, called: "confirm", wantErr: middleware.ErrHandler},
		{name: "function fails with *Error of a 2xx status: 500", msgType: payfeedback.MsgConfirm,
			ret: &middleware.Error{Status: 200, Reason: "odd"}, want: 500, called: "confirm", wantErr: middleware.ErrHandler},
		{name: "without the middleware: 500", noCtx: true, want: 500, wantErr: middleware.ErrNoNotification},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var called string
			fn := func(kind string) func(context.Context, *payfeedback.Notification) error {
				return func(ctx context.Context, n *payfeedback.Notification) error {
					called = kind
					if string(n.MsgType) != kind {
						t.Errorf("%s handler got MsgType %s", kind, n.MsgType)
					}
					return tc.ret
				}
			}
			var got error
			d := middleware.Dispatcher{
				OnRequest: fn("request"), OnConfirm: fn("confirm"), OnReject: fn("reject"),
				ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
					got = err
					middleware.DefaultErrorHandler(w, r, err)
				},
			}
			r := post(nil)
			if !tc.noCtx {
				n := sample()
				n.MsgType = tc.msgType
				r = r.WithContext(middleware.NewContext(r.Context(), n))
			}
			w := serve(d, r)
			if w.Code != tc.want || called != tc.called {
				t.Fatalf("status %d, called %q; want %d, %q", w.Code, called, tc.want, tc.called)
			}
			if tc.want == 200 {
				if w.Body.String() != "success" || got != nil {
					t.Fatalf("body %q, error %v; want success", w.Body.String(), got)
				}
				return
			}
			if !errors.Is(got, tc.wantErr) {
				t.Fatalf("error %v, want %v", got, tc.wantErr)
			}
			if tc.ret != nil && !errors.Is(got, tc.ret) {
				t.Fatalf("error %v does not wrap the function's error", got)
			}
			if strings.Contains(w.Body.String(), "connection refused") {
				t.Fatalf("the function's error reached the response: %q", w.Body.String())
			}
		})
	}
}

func TestDispatcherMissingFunction(t *testing.T) {
	for _, kind := range []payfeedback.MsgType{payfeedback.MsgRequest, payfeedback.MsgConfirm, payfeedback.MsgReject} {
		d := middleware.Dispatcher{} // no functions at all
		n := sample()
		n.MsgType = kind
		r := post(nil)
		w := serve(d, r.WithContext(middleware.NewContext(r.Context(), n)))
		if w.Code != http.StatusNotImplemented || !strings.Contains(w.Body.String(), string(kind)) {
			t.Errorf("%s without a function: %d %q, want 501 naming the kind", kind, w.Code, w.Body.String())
		}
	}
}

// TestDispatcherBehindMiddleware checks the whole chain: a failed function
// leaves the notification to be handled by the next delivery.
func TestDispatcherBehindMiddleware(t *testing.T) {
	var calls []string
	fail := true
	d := middleware.Dispatcher{
		OnRequest: func(ctx context.Context, n *payfeedback.Notification) error {
			calls = append(calls, n.FeedBackID)
			if fail {
				return errors.New("transient")
			}
			return nil
		},
	}
	h := middleware.New(baseConfig())(d)
	body := signedSample(t, nil)
	steps := []struct {
		fail bool
		want int
	}{{true, 500}, {false, 200}, {false, 200}}
	for i, s := range steps {
		fail = s.fail
		w := serve(h, post(body))
		if w.Code != s.want {
			t.Fatalf("delivery %d: status %d, want %d", i, w.Code, s.want)
		}
	}
	if len(calls) != 2 {
		t.Fatalf("OnRequest ran %d times, want 2 (failed, then succeeded; the third copy is a duplicate)", len(calls))
	}
	// Confirm without OnConfirm: 501, and the re-delivery is not taken for
	// a duplicate.
	confirm := signedSample(t, func(n *payfeedback.Notification) { n.MsgType, n.OpenID = payfeedback.MsgConfirm, "u2" })
	for i := range 2 {
		if w := serve(h, post(confirm)); w.Code != http.StatusNotImplemented {
			t.Fatalf("confirm %d: status %d, want 501", i, w.Code)
		}
	}
}
