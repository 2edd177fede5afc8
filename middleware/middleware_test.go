package middleware_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// TestChecks runs every check with the status it answers and the error the
// ErrorHandler receives; the next handler must run only on success.
func TestChecks(t *testing.T) {
	valid := signedSample(t, nil)
	tests := []struct {
		name    string
		method  string
		body    []byte
		reader  func([]byte) io.Reader // nil: bytes.Reader (ContentLength known)
		config  func(*middleware.Config)
		want    int
		wantErr []error // errors.Is targets, all must hold
		header  map[string]string
	}{
		{name: "valid request", body: valid, want: 200},
		{name: "valid confirm", body: signedSample(t, func(n *payfeedback.Notification) {
			n.MsgType, n.TransID, n.Solution, n.ExtInfo, n.PicURLs = payfeedback.MsgConfirm, "", "", "", nil
		}), want: 200},
		{name: "valid reject", body: signedSample(t, func(n *payfeedback.Notification) { n.MsgType = payfeedback.MsgReject }), want: 200},
		{name: "second account", body: signed(t, func() *payfeedback.Notification {
			n := sample()
			n.AppID = otherAppID
			return n
		}(), otherKey), want: 200},
		{name: "SignMethod SHA1 upper case", body: signedSample(t, func(n *payfeedback.Notification) { n.SignMethod = "SHA1" }), want: 200},
		{name: "signature in upper case", body: bytes.Replace(valid, []byte(sigOf(t, valid)), []byte(strings.ToUpper(sigOf(t, valid))), 1), want: 200},

		{name: "GET", method: http.MethodGet, want: 405, wantErr: []error{middleware.ErrMethodNotAllowed}, header: map[string]string{"Allow": "POST"}},
		{name: "PUT", method: http.MethodPut, body: valid, want: 405, wantErr: []error{middleware.ErrMethodNotAllowed}, header: map[string]string{"Allow": "POST"}},
		{name: "HEAD", method: http.MethodHead, want: 405, wantErr: []error{middleware.ErrMethodNotAllowed}},

		{name: "body over 64 KiB, length known", body: padded(valid, payfeedback.MaxNotificationSize+1), want: 413,
			wantErr: []error{payfeedback.ErrTooLarge}, header: map[string]string{"Connection": "close"}},
		{name: "body over 64 KiB, chunked", body: padded(valid, payfeedback.MaxNotificationSize+1), reader: unsized, want: 413,
			wantErr: []error{payfeedback.ErrTooLarge}},
		{name: "body of exactly 64 KiB", body: padded(valid, payfeedback.MaxNotificationSize), reader: unsized, want: 200},
		{name: "body over MaxBodySize", body: valid, config: func(c *middleware.Config) { c.MaxBodySize = 100 }, want: 413,
			wantErr: []error{payfeedback.ErrTooLarge}},
		{name: "body over MaxBodySize, read one byte at a time", body: valid, reader: oneByte,
			config: func(c *middleware.Config) { c.MaxBodySize = 100 }, want: 413, wantErr: []error{payfeedback.ErrTooLarge}},
		{name: "outer MaxBytesReader", body: valid, reader: func(b []byte) io.Reader {
			return http.MaxBytesReader(httptest.NewRecorder(), io.NopCloser(bytes.NewReader(b)), 10)
		}, want: 413, wantErr: []error{payfeedback.ErrTooLarge}},
		{name: "read error", body: valid, reader: func([]byte) io.Reader { return iotest.ErrReader(errors.New("connection reset")) },
			want: 400},

		{name: "empty body", body: nil, want: 400, wantErr: []error{payfeedback.ErrMalformed}},
		{name: "not XML", body: []byte("appid=wx&openid=o"), want: 400, wantErr: []error{payfeedback.ErrMalformed}},
		{name: "truncated", body: valid[:len(valid)/2], want: 400, wantErr: []error{payfeedback.ErrMalformed}},
		{name: "root not xml", body: bytes.ReplaceAll(valid, []byte("xml>"), []byte("doc>")), want: 400,
			wantErr: []error{payfeedback.ErrNotXMLRoot}},
		{name: "DOCTYPE", body: append([]byte(`<!DOCTYPE xml [<!ENTITY x "y">]>`), valid...), want: 400,
			wantErr: []error{payfeedback.ErrDOCTYPE}},
		{name: "FeedBackId missing", body: signedSample(t, func(n *payfeedback.Notification) { n.FeedBackID = "" }), want: 400,
			wantErr: []error{payfeedback.ErrMissingElement}},
		// TransId is optional in every MsgType (a complaint without an order).
		{name: "TransId missing in a request", body: signedSample(t, func(n *payfeedback.Notification) { n.TransID = "" }), want: 200},
		{name: "TimeStamp not a number", body: bytes.Replace(valid, []byte("1764201600"), []byte("17642016OO"), 1), want: 400,
			wantErr: []error{payfeedback.ErrBadTimestamp}},
		{name: "unknown MsgType", body: signedSample(t, func(n *payfeedback.Notification) { n.MsgType = "refund" }), want: 400,
			wantErr: []error{payfeedback.ErrUnknownMsgType}},
		{name: "unknown SignMethod", body: signedSample(t, func(n *payfeedback.Notification) { n.SignMethod = "md5" }), want: 400,
			wantErr: []error{payfeedback.ErrUnknownSignMethod}},

		{name: "unknown AppId", body: signed(t, func() *payfeedback.Notification {
			n := sample()
			n.AppID = "wx1111111111111111"
			return n
		}(), testKey), want: 403, wantErr: []error{middleware.ErrUnknownApp}},
		{name: "empty key resolved", body: valid, config: func(c *middleware.Config) {
			c.Keys = middleware.KeyFunc(func(context.Context, string) (string, error) { return "", nil })
		}, want: 500, wantErr: []error{payfeedback.ErrEmptyKey}},
		{name: "key lookup fails", body: valid, config: func(c *middleware.Config) {
			c.Keys = middleware.KeyFunc(func(context.Context, string) (string, error) { return "", errors.New("vault sealed") })
		}, want: 503, wantErr: []error{middleware.ErrKeysUnavailable}},
		{name: "resolver wraps ErrUnknownApp", body: valid, config: func(c *middleware.Config) {
			c.Keys = middleware.KeyFunc(func(_ context.Context, id string) (string, error) {
				return "", errors.Join(errors.New("no row for "+id), middleware.ErrUnknownApp)
			})
		}, want: 403, wantErr: []error{middleware.ErrUnknownApp}},

		{name: "AppSignature missing", body: removeElement(t, valid, "AppSignature"), want: 401,
			wantErr: []error{payfeedback.ErrMissingSignature, payfeedback.ErrMissingElement}},
		{name: "signed with another key", body: signed(t, sample(), "not-the-key"), want: 401,
			wantErr: []error{payfeedback.ErrBadSignature}},
		{name: "signed field changed: OpenId", body: bytes.Replace(valid, []byte("oDF3iY9P32sK"), []byte("oDF3iY9P32sL"), 1), want: 401,
			wantErr: []error{payfeedback.ErrBadSignature}},
		{name: "signed field changed: TimeStamp", body: bytes.Replace(valid, []byte("1764201600"), []byte("1764201601"), 1), want: 401,
			wantErr: []error{payfeedback.ErrBadSignature}},
		{name: "signature not hex", body: bytes.Replace(valid, []byte(sigOf(t, valid)), []byte(strings.Repeat("z", 40)), 1), want: 401,
			wantErr: []error{payfeedback.ErrBadSignature}},

		{name: "TimeStamp MaxAge old", body: signedAt(t, testUnix-600), want: 200},
		{name: "TimeStamp older than MaxAge", body: signedAt(t, testUnix-601), want: 401, wantErr: []error{middleware.ErrTooOld}},
		{name: "TimeStamp 1970", body: signedAt(t, 0), want: 401, wantErr: []error{middleware.ErrTooOld}},
		{name: "TimeStamp MaxFuture ahead", body: signedAt(t, testUnix+60), want: 200},
		{name: "TimeStamp beyond MaxFuture", body: signedAt(t, testUnix+61), want: 401, wantErr: []error{middleware.ErrTooNew}},
		{name: "TimeStamp far future", body: signedAt(t, 9223372036854775807), want: 401, wantErr: []error{middleware.ErrTooNew}},
		// Up to 32 digits decode (the document's limit); past int64 is refused
		// by freshness, with the real reason.
		{name: "TimeStamp of 32 digits", body: signedSample(t, func(n *payfeedback.Notification) { n.TimeStamp = "99999999999999999999999999999999" }),
			want: 401, wantErr: []error{middleware.ErrTooNew}},
		{name: "custom MaxAge", body: signedAt(t, testUnix-31), config: func(c *middleware.Config) { c.MaxAge = 30 * time.Second },
			want: 401, wantErr: []error{middleware.ErrTooOld}},
		{name: "custom MaxAge, within", body: signedAt(t, testUnix-30), config: func(c *middleware.Config) { c.MaxAge = 30 * time.Second },
			want: 200},
		{name: "custom MaxFuture", body: signedAt(t, testUnix+6), config: func(c *middleware.Config) { c.MaxFuture = 5 * time.Second },
			want: 401, wantErr: []error{middleware.ErrTooNew}},
		{name: "custom MaxAge 24h", body: signedAt(t, testUnix-86400), config: func(c *middleware.Config) { c.MaxAge = 24 * time.Hour },
			want: 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got error
			cfg := baseConfig()
			cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
				got = err
				middleware.DefaultErrorHandler(w, r, err)
			}
			if tc.config != nil {
				tc.config(&cfg)
			}
			next := &recorder{}
			h := middleware.New(cfg)(next)
			method := tc.method
			if method == "" {
				method = http.MethodPost
			}
			var body io.Reader = bytes.NewReader(tc.body)
			if tc.reader != nil {
				body = tc.reader(tc.body)
			}
			r := httptest.NewRequest(method, testPath, body)
			w := serve(h, r)

			if w.Code != tc.want {
				t.Fatalf("status %d, want %d; body %q", w.Code, tc.want, w.Body.String())
			}
			for k, v := range tc.header {
				if g := w.Header().Get(k); g != v {
					t.Errorf("header %s = %q, want %q", k, g, v)
				}
			}
			if tc.want == 200 {
				if got != nil {
					t.Fatalf("ErrorHandler called with %v", got)
				}
				if next.runs.Load() != 1 {
					t.Fatalf("next ran %d times, want 1", next.runs.Load())
				}
				want, err := payfeedback.ParseNotification(tc.body)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, next.last()); diff != "" {
					t.Errorf("FromContext differs from the body (-want +got):\n%s", diff)
				}
				return
			}
			if next.runs.Load() != 0 {
				t.Fatalf("next ran on a refusal")
			}
			var e *middleware.Error
			if !errors.As(got, &e) {
				t.Fatalf("ErrorHandler got %v (%T), want *middleware.Error", got, got)
			}
			if e.Status != tc.want {
				t.Errorf("Error.Status %d, want %d", e.Status, tc.want)
			}
			if e.Reason == "" || strings.Contains(e.Reason, "\n") {
				t.Errorf("Error.Reason %q, want one non-empty line", e.Reason)
			}
			if body := w.Body.String(); body != e.Reason+"\n" {
				t.Errorf("body %q, want the reason %q", body, e.Reason)
			}
			for _, target := range tc.wantErr {
				if !errors.Is(got, target) {
					t.Errorf("errors.Is(%v, %v) = false", got, target)
				}
			}
		})
	}
}

// sigOf returns the AppSignature of an encoded notification.
func sigOf(t *testing.T, body []byte) string {
	t.Helper()
	n, err := payfeedback.ParseNotification(body)
	if err != nil {
		t.Fatal(err)
	}
	return n.AppSignature
}

func signedAt(t *testing.T, unix int64) []byte {
	t.Helper()
	return signedSample(t, func(n *payfeedback.Notification) { n.TimeStamp = itoa(unix) })
}

func itoa(v int64) string {
	if v == 0 {
		return "0"
	}
	var b [20]byte
	i := len(b)
	for ; v > 0; v /= 10 {
		i--
		b[i] = byte('0' + v%10)
	}
	return string(b[i:])
}

// padded grows an encoded notification to size bytes with an unknown
// element the decoder ignores.
func padded(body []byte, size int) []byte {
	const open, close = "<Pad>", "</Pad></xml>"
	head := bytes.TrimSuffix(body, []byte("</xml>"))
	fill := size - len(head) - len(open) - len(close)
	out := append([]byte{}, head...)
	out = append(out, open...)
	out = append(out, bytes.Repeat([]byte("x"), fill)...)
	return append(out, close...)
}

func removeElement(t *testing.T, body []byte, name string) []byte {
	t.Helper()
	s := string(body)
	i := strings.Index(s, "<"+name+">")
	j := strings.Index(s, "</"+name+">")
	if i < 0 || j < 0 {
		t.Fatalf("no <%s> in %s", name, s)
	}
	return []byte(s[:i] + s[j+len(name)+3:])
}

// unsized hides the length, as a chunked request does.
func unsized(b []byte) io.Reader { return struct{ io.Reader }{bytes.NewReader(b)} }

func oneByte(b []byte) io.Reader { return iotest.OneByteReader(bytes.NewReader(b)) }

func TestErrorHandlerReplaced(t *testing.T) {
	cfg := baseConfig()
	cfg.ErrorHandler = func(w http.ResponseWriter, r *http.Request, err error) {
		var e *middleware.Error
		errors.As(err, &e)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(e.Status)
		_, _ = io.WriteString(w, `{"refused":true}`)
	}
	next := &recorder{}
	w := serve(middleware.New(cfg)(next), post(signed(t, sample(), "wrong")))
	if w.Code != 401 || w.Body.String() != `{"refused":true}` || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("got %d %q %q, want the custom handler's answer", w.Code, w.Header().Get("Content-Type"), w.Body.String())
	}
	if next.runs.Load() != 0 {
		t.Fatal("next ran")
	}
}

func TestDefaultErrorHandlerOtherError(t *testing.T) {
	w := httptest.NewRecorder()
	middleware.DefaultErrorHandler(w, post(nil), errors.New("database password is hunter2"))
	if w.Code != 500 || strings.Contains(w.Body.String(), "hunter2") {
		t.Fatalf("got %d %q: want 500 without the error's text", w.Code, w.Body.String())
	}
}

func TestErrorMessage(t *testing.T) {
	e := &middleware.Error{Status: 401, Reason: "AppSignature does not match", Err: payfeedback.ErrBadSignature}
	want := "middleware: 401 AppSignature does not match: payfeedback: AppSignature does not match"
	if e.Error() != want {
		t.Errorf("Error() = %q, want %q", e.Error(), want)
	}
	if !errors.Is(e, payfeedback.ErrBadSignature) {
		t.Error("errors.Is through *Error failed")
	}
}

func TestNewRefusesBadConfig(t *testing.T) {
	keys := middleware.StaticKeys{testAppID: testKey}
	tests := []struct {
		name string
		cfg  middleware.Config
		want string
	}{
		{"no keys", middleware.Config{}, "Config.Keys is nil"},
		// StaticKeys{os.Getenv(…): os.Getenv(…)} with the variables unset.
		{"unset variables", middleware.Config{Keys: middleware.StaticKeys{"": ""}}, "empty AppId"},
		{"unset key", middleware.Config{Keys: middleware.StaticKeys{testAppID: ""}}, `no paySignKey for AppId "wxf8b4f85f3a794e77"`},
		{"blank key", middleware.Config{Keys: middleware.StaticKeys{testAppID: testKey, otherAppID: " \n"}}, `no paySignKey for AppId "wx0123456789abcdef"`},
		{"blank AppId", middleware.Config{Keys: middleware.StaticKeys{" ": testKey}}, "empty AppId"},
		{"empty map", middleware.Config{Keys: middleware.StaticKeys{}}, "StaticKeys is empty"},
		{"negative body", middleware.Config{Keys: keys, MaxBodySize: -1}, "MaxBodySize"},
		{"body over 64 KiB", middleware.Config{Keys: keys, MaxBodySize: payfeedback.MaxNotificationSize + 1}, "MaxBodySize"},
		{"negative MaxAge", middleware.Config{Keys: keys, MaxAge: -time.Second}, "MaxAge"},
		{"negative MaxFuture", middleware.Config{Keys: keys, MaxFuture: -time.Second}, "MaxFuture"},
		{"negative ClaimTTL", middleware.Config{Keys: keys, ClaimTTL: -time.Second}, "ClaimTTL"},
		{"negative InFlightWait", middleware.Config{Keys: keys, InFlightWait: -time.Second}, "InFlightWait"},
		{"unknown SharedSignature", middleware.Config{Keys: keys, SharedSignature: 7}, "SharedSignature"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Validate() = %v, want an error about %s", err, tc.want)
			}
			defer func() {
				p := recover()
				if pe, ok := p.(error); !ok || pe.Error() != err.Error() {
					t.Fatalf("New panicked with %v, want %v", p, err)
				}
			}()
			middleware.New(tc.cfg)
		})
	}
	if err := (middleware.Config{Keys: keys}).Validate(); err != nil {
		t.Fatalf("minimal config: %v", err)
	}
	t.Run("nil next", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("no panic for a nil next handler")
			}
		}()
		middleware.New(middleware.Config{Keys: keys})(nil)
	})
}

func TestFromContext(t *testing.T) {
	if n := middleware.FromContext(context.Background()); n != nil {
		t.Fatalf("FromContext(empty) = %v, want nil", n)
	}
	n := sample()
	if got := middleware.FromContext(middleware.NewContext(context.Background(), n)); got != n {
		t.Fatalf("FromContext(NewContext(n)) = %p, want %p", got, n)
	}
	type otherKey struct{}
	ctx := context.WithValue(context.Background(), otherKey{}, n)
	if got := middleware.FromContext(ctx); got != nil {
		t.Fatal("FromContext read a value set under another key")
	}
}

// TestNotificationOutlivesBody holds the middleware's reuse of body buffers
// to a promise of ParseNotification: the notification it returns does not
// share memory with the body.
func TestNotificationOutlivesBody(t *testing.T) {
	body := signedSample(t, nil)
	n, err := payfeedback.ParseNotification(body)
	if err != nil {
		t.Fatal(err)
	}
	want := *n
	want.PicURLs = append([]string(nil), n.PicURLs...)
	for i := range body {
		body[i] = 'X'
	}
	if diff := cmp.Diff(&want, n); diff != "" {
		t.Fatalf("overwriting the body changed the notification (-before +after):\n%s", diff)
	}

	// Through the middleware: a notification kept by a handler survives
	// the next requests, which reuse the buffer.
	next := &recorder{}
	h := middleware.New(baseConfig())(next)
	first := signedSample(t, nil)
	if w := serve(h, post(first)); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	kept := next.last()
	snapshot := *kept
	for i := range 20 {
		b := signedSample(t, func(n *payfeedback.Notification) {
			n.OpenID = "user" + itoa(int64(i))
			n.Reason = strings.Repeat("z", 40)
		})
		serve(h, post(b))
	}
	if diff := cmp.Diff(&snapshot, kept); diff != "" {
		t.Fatalf("a kept notification changed (-before +after):\n%s", diff)
	}
}

func TestNextGetsEmptyBody(t *testing.T) {
	var got []byte
	h := middleware.New(baseConfig())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	}))
	if w := serve(h, post(signedSample(t, nil))); w.Code != 200 {
		t.Fatalf("status %d", w.Code)
	}
	if len(got) != 0 {
		t.Fatalf("next read %d bytes, want the body consumed", len(got))
	}
}

// TestNextContextAndWriter checks what the next handler gets: the request's
// own context values and cancellation, the notification, and a writer that
// still reaches Flush through http.ResponseController.
func TestNextContextAndWriter(t *testing.T) {
	type traceKey struct{}
	var (
		trace     any
		flushErr  error
		derivedOK bool
	)
	h := middleware.New(baseConfig())(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		trace = r.Context().Value(traceKey{})
		ctx, cancel := context.WithCancel(r.Context())
		defer cancel()
		_, _ = io.WriteString(w, "success")
		flushErr = http.NewResponseController(w).Flush()
		<-ctx.Done() // the parent is cancelled below, before ServeHTTP
		derivedOK = middleware.FromContext(ctx) != nil
	}))
	parent, cancel := context.WithCancel(context.WithValue(context.Background(), traceKey{}, "trace-1"))
	cancel()
	w := httptest.NewRecorder()
	h.ServeHTTP(w, post(signedSample(t, nil)).WithContext(parent))
	if trace != "trace-1" {
		t.Errorf("next saw trace %v, want the request context's value", trace)
	}
	if flushErr != nil || !w.Flushed {
		t.Errorf("Flush through the middleware: %v, flushed %v", flushErr, w.Flushed)
	}
	if !derivedOK {
		t.Errorf("cancellation or notification lost in a derived context")
	}
}
