package payfeedback_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// Credentials of the httptest stubs (the mockwechat tests use the fake's
// demo account).
const (
	stubAppID  = "wx0123456789abcdef"
	stubSecret = "stub-secret-5e3c2e7a"
	stubKey    = "stub-paysignkey-f00dfeed"
	stubToken  = "stub-token-0c0ffee0c0ffee"
)

// stub is an httptest server answering the token API itself and handing
// every other path to h. It counts token requests.
type stub struct {
	*httptest.Server
	tokenCalls atomic.Int64
}

func newStub(t *testing.T, h http.HandlerFunc) *stub {
	t.Helper()
	s := &stub{}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == payfeedback.PathToken {
			n := s.tokenCalls.Add(1)
			if r.URL.Query().Get("secret") != stubSecret {
				fmt.Fprint(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
				return
			}
			fmt.Fprintf(w, `{"access_token":"%s-%d","expires_in":7200}`, stubToken, n)
			return
		}
		h(w, r)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *stub) client(t *testing.T, opts payfeedback.ClientOptions) *payfeedback.Client {
	t.Helper()
	if opts.AppID == "" {
		opts.AppID = stubAppID
	}
	if opts.Secret == "" {
		opts.Secret = stubSecret
	}
	if opts.BaseURL == "" {
		opts.BaseURL = s.URL
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = s.Client()
	}
	c, err := payfeedback.NewClient(opts)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewClient(t *testing.T) {
	ok := payfeedback.ClientOptions{AppID: stubAppID, Secret: stubSecret}
	with := func(f func(*payfeedback.ClientOptions)) payfeedback.ClientOptions {
		o := ok
		f(&o)
		return o
	}
	tests := []struct {
		name    string
		opts    payfeedback.ClientOptions
		wantErr string
	}{
		{"minimal", ok, ""},
		{"all options", with(func(o *payfeedback.ClientOptions) {
			o.PaySignKey, o.BaseURL, o.MaxArticles = stubKey, "http://127.0.0.1:1/prefix/", 8
		}), ""},
		{"no appid", with(func(o *payfeedback.ClientOptions) { o.AppID = "" }), "AppID is required"},
		{"blank appid", with(func(o *payfeedback.ClientOptions) { o.AppID = "  " }), "AppID is required"},
		{"no secret", with(func(o *payfeedback.ClientOptions) { o.Secret = "" }), "Secret is required"},
		{"relative base", with(func(o *payfeedback.ClientOptions) { o.BaseURL = "api.weixin.qq.com" }), "not an absolute http(s) URL"},
		{"ftp base", with(func(o *payfeedback.ClientOptions) { o.BaseURL = "ftp://api.weixin.qq.com" }), "not an absolute http(s) URL"},
		{"base with query", with(func(o *payfeedback.ClientOptions) { o.BaseURL = "https://h/?access_token=x" }), "not an absolute http(s) URL"},
		{"negative margin", with(func(o *payfeedback.ClientOptions) { o.RefreshMargin = -1 }), "must not be negative"},
		{"negative articles", with(func(o *payfeedback.ClientOptions) { o.MaxArticles = -1 }), "must not be negative"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := payfeedback.NewClient(tt.opts)
			if tt.wantErr == "" {
				if err != nil || c == nil {
					t.Fatalf("NewClient: %v", err)
				}
				if c.AppID() != tt.opts.AppID {
					t.Errorf("AppID %q, want %q", c.AppID(), tt.opts.AppID)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("NewClient: %v, want an error containing %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), stubSecret) {
				t.Errorf("error leaks the secret: %v", err)
			}
		})
	}
}

func TestClientOptionsDoNotPrintSecrets(t *testing.T) {
	o := payfeedback.ClientOptions{AppID: stubAppID, Secret: stubSecret, PaySignKey: stubKey, BaseURL: "http://x"}
	var logged bytes.Buffer
	slog.New(slog.NewJSONHandler(&logged, nil)).Info("options", "opts", o)
	for _, s := range []string{
		fmt.Sprint(o), fmt.Sprintf("%v %+v %#v %s", o, o, o, o), fmt.Sprintf("%+v", &o), logged.String(),
	} {
		if strings.Contains(s, stubSecret) || strings.Contains(s, stubKey) {
			t.Errorf("printed options leak a secret: %s", s)
		}
		if !strings.Contains(s, stubAppID) {
			t.Errorf("printed options lack the appid: %s", s)
		}
	}
}

// TestBaseURLPrefix: a base URL with a path (a proxy) prefixes every call.
func TestBaseURLPrefix(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Method+" "+r.URL.Path)
		if strings.HasSuffix(r.URL.Path, payfeedback.PathToken) {
			fmt.Fprint(w, `{"access_token":"T","expires_in":7200}`)
			return
		}
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer srv.Close()
	c, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: stubAppID, Secret: stubSecret, BaseURL: srv.URL + "/wechat/", HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.UpdateFeedback(context.Background(), "o", "1"); err != nil {
		t.Fatal(err)
	}
	want := []string{"GET /wechat/cgi-bin/token", "GET /wechat/payfeedback/update"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("requests %q, want %q", got, want)
	}
}

// TestAnswers: how each kind of answer becomes an error (or not).
func TestAnswers(t *testing.T) {
	big := `{"errcode":0,"errmsg":"` + strings.Repeat("x", payfeedback.MaxResponseSize) + `"}`
	tests := []struct {
		name      string
		status    int
		body      string
		wantCode  payfeedback.ErrorCode // APIError expected when != 0
		wantHTTP  int                   // StatusError expected when != 0
		wantErr   string                // other error expected when != ""
		temporary bool
	}{
		{name: "ok", status: 200, body: `{"errcode":0,"errmsg":"ok"}`},
		{name: "ok, errmsg success", status: 200, body: `{"errcode":0,"errmsg":"success"}`},
		// The document answers {"errcode":0,"errmsg":"ok"}: without errcode
		// the answer is not WeChat's (it counted as a success before).
		{name: "no errcode", status: 200, body: `{}`, wantErr: "no errcode"},
		{name: "errmsg ok, no errcode", status: 200, body: `{"errmsg":"ok"}`, wantErr: "no errcode"},
		{name: "errcode", status: 200, body: `{"errcode":40003,"errmsg":"invalid openid"}`, wantCode: payfeedback.CodeInvalidOpenID},
		{name: "errcode without errmsg", status: 200, body: `{"errcode":45015}`, wantCode: payfeedback.CodeOutOfWindow},
		{name: "system error", status: 200, body: `{"errcode":-1,"errmsg":"system error"}`, wantCode: payfeedback.CodeSystemError, temporary: true},
		{name: "502", status: 502, body: `<html>bad gateway</html>`, wantHTTP: 502, temporary: true},
		{name: "429", status: 429, body: ``, wantHTTP: 429, temporary: true},
		{name: "404", status: 404, body: `not found`, wantHTTP: 404},
		{name: "not json", status: 200, body: `<html>login</html>`, wantErr: "not a JSON object"},
		{name: "empty", status: 200, body: ``, wantErr: "empty"},
		{name: "too large", status: 200, body: big, wantErr: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tt.status)
				fmt.Fprint(w, tt.body)
			})
			err := s.client(t, payfeedback.ClientOptions{}).UpdateFeedback(context.Background(), "o", "1")
			var ae *payfeedback.APIError
			var se *payfeedback.StatusError
			switch {
			case tt.wantCode != 0:
				if !errors.As(err, &ae) || ae.Code != tt.wantCode {
					t.Fatalf("err %v, want APIError %d", err, tt.wantCode)
				}
				if ae.Msg != tt.wantCode.Message() {
					t.Errorf("errmsg %q, want %q", ae.Msg, tt.wantCode.Message())
				}
				if ae.Temporary() != tt.temporary {
					t.Errorf("Temporary %v, want %v", ae.Temporary(), tt.temporary)
				}
			case tt.wantHTTP != 0:
				if !errors.As(err, &se) || se.StatusCode != tt.wantHTTP || se.Op != "UpdateFeedback" {
					t.Fatalf("err %v, want StatusError %d", err, tt.wantHTTP)
				}
				if se.Temporary() != tt.temporary {
					t.Errorf("Temporary %v, want %v", se.Temporary(), tt.temporary)
				}
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err %v, want one containing %q", err, tt.wantErr)
				}
				if errors.As(err, &ae) || errors.As(err, &se) {
					t.Errorf("err %v is an API or status error", err)
				}
			default:
				if err != nil {
					t.Fatalf("err %v, want nil", err)
				}
			}
			if err != nil && strings.Contains(err.Error(), stubToken) {
				t.Errorf("error leaks the token: %v", err)
			}
		})
	}
}

// TestTransportErrorRedacted: a transport error names the call and the
// URL, with the secret and the token redacted.
func TestTransportErrorRedacted(t *testing.T) {
	// A server that drops every connection after the token was issued.
	s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		hj, ok := w.(http.Hijacker)
		if !ok {
			t.Error("no hijacker")
			return
		}
		conn, _, err := hj.Hijack()
		if err == nil {
			conn.Close()
		}
	})
	c := s.client(t, payfeedback.ClientOptions{})
	err := c.UpdateFeedback(context.Background(), "o", "1")
	var ue *url.Error
	if !errors.As(err, &ue) {
		t.Fatalf("err %v (%T), want a wrapped *url.Error", err, err)
	}
	if !strings.Contains(err.Error(), "UpdateFeedback") || !strings.Contains(err.Error(), "access_token=REDACTED") {
		t.Errorf("err %q does not name the call and the redacted URL", err)
	}
	if strings.Contains(err.Error(), stubToken) {
		t.Errorf("err leaks the token: %v", err)
	}

	// The token request itself, to a closed server: the secret is redacted.
	s.Close()
	c2 := s.client(t, payfeedback.ClientOptions{})
	err = c2.UpdateFeedback(context.Background(), "o", "1")
	if err == nil || !strings.Contains(err.Error(), "secret=REDACTED") {
		t.Fatalf("err %v, want a transport error with secret=REDACTED", err)
	}
	if strings.Contains(err.Error(), stubSecret) {
		t.Errorf("err leaks the secret: %v", err)
	}
}

func TestWrongSecret(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request) { t.Error("called past a failed token request") })
	c := s.client(t, payfeedback.ClientOptions{Secret: "wrong-secret-value"})
	err := c.UpdateFeedback(context.Background(), "o", "1")
	var ae *payfeedback.APIError
	if !errors.As(err, &ae) || ae.Code != payfeedback.CodeInvalidCredential {
		t.Fatalf("err %v, want APIError 40001", err)
	}
	if !strings.Contains(err.Error(), "check the AppID and Secret") {
		t.Errorf("err %q does not say what to do", err)
	}
	if strings.Contains(err.Error(), "wrong-secret-value") {
		t.Errorf("err leaks the secret: %v", err)
	}
	if n := s.tokenCalls.Load(); n != 1 {
		t.Errorf("%d token requests, want 1 (a token request is not retried)", n)
	}
}

// TestArgumentsValidated: nothing is sent for blank arguments.
func TestArgumentsValidated(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request) { t.Errorf("request sent: %s", r.URL.Path) })
	c := s.client(t, payfeedback.ClientOptions{})
	ctx := context.Background()
	tests := []struct {
		name      string
		err       error
		wantField string
	}{
		{"update no openid", c.UpdateFeedback(ctx, "", "1"), "openid"},
		{"update no feedbackid", c.UpdateFeedback(ctx, "o", " "), "feedbackid"},
		{"send no openid", c.SendMessage(ctx, "", payfeedback.TextMessage{Content: "x"}), "openid"},
		{"send nil message", c.SendMessage(ctx, "o", nil), "msg"},
		{"send invalid message", c.SendMessage(ctx, "o", payfeedback.TextMessage{}), "content"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var ve *payfeedback.ValidationError
			if !errors.As(tt.err, &ve) || ve.Field != tt.wantField {
				t.Fatalf("err %v, want a ValidationError on %q", tt.err, tt.wantField)
			}
		})
	}
	if n := s.tokenCalls.Load(); n != 0 {
		t.Errorf("%d token requests for invalid calls, want 0", n)
	}
}

// TestLogsCarryNoSecrets runs successful and failing calls with a debug
// logger and checks that no secret and no token reaches the log.
func TestLogsCarryNoSecrets(t *testing.T) {
	var calls atomic.Int64
	s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) == 1 {
			fmt.Fprint(w, `{"errcode":40001,"errmsg":"invalid credential"}`)
			return
		}
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	var logged bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logged, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c := s.client(t, payfeedback.ClientOptions{PaySignKey: stubKey, Logger: logger})
	ctx := context.Background()
	if err := c.UpdateFeedback(ctx, "o", "1"); err != nil {
		t.Fatal(err)
	}
	if err := c.DeliverNotify(ctx, payfeedback.Shipment{OpenID: "o", TransID: "t", OutTradeNo: "n", Status: payfeedback.DeliverShipped}); err != nil {
		t.Fatal(err)
	}
	tok, err := c.Token(ctx)
	if err != nil {
		t.Fatal(err)
	}
	logger.Info("token", "tok", tok)
	out := logged.String()
	for _, secret := range []string{stubSecret, stubKey, stubToken} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains a secret or token %q:\n%s", secret, out)
		}
	}
	for _, want := range []string{"access_token rejected", "access_token refreshed", "op=UpdateFeedback", "errcode=40001"} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
}

// TestCancelledWhileCalling: a call honours its context while the server
// does not answer.
func TestCancelledWhileCalling(t *testing.T) {
	entered := make(chan struct{})
	s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-r.Context().Done()
	})
	c := s.client(t, payfeedback.ClientOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		<-entered
		cancel()
	}()
	err := c.UpdateFeedback(ctx, "o", "1")
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err %v, want context.Canceled", err)
	}
	if strings.Contains(err.Error(), stubToken) {
		t.Errorf("err leaks the token: %v", err)
	}
}

// fake is an in-process mockwechat on a virtual clock, with helpers.
type fake struct {
	srv   *mockwechat.Server
	clock *mockwechat.VirtualClock
	acct  mockwechat.Account
}

func newFake(t *testing.T, opts mockwechat.Options) *fake {
	t.Helper()
	if opts.Clock == nil {
		opts.Clock = mockwechat.NewVirtualClock(time.Date(2014, 3, 1, 9, 0, 0, 0, time.UTC))
	}
	srv := mockwechat.NewServer(opts)
	t.Cleanup(srv.Close)
	acct := mockwechat.DemoAccount()
	if len(opts.Accounts) > 0 {
		acct = opts.Accounts[0]
	}
	return &fake{srv: srv, clock: opts.Clock, acct: acct}
}

// client returns a client of the fake's first account on its clock; mod
// may change the options.
func (f *fake) client(t *testing.T, mod func(*payfeedback.ClientOptions)) *payfeedback.Client {
	t.Helper()
	o := payfeedback.ClientOptions{
		AppID: f.acct.AppID, Secret: f.acct.Secret, PaySignKey: f.acct.PaySignKey,
		BaseURL: f.srv.URL, HTTPClient: f.srv.Client(), Now: f.clock.Now,
	}
	if mod != nil {
		mod(&o)
	}
	c, err := payfeedback.NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// complaint files a complaint of a new user.
func (f *fake) complaint(t *testing.T) mockwechat.Complaint {
	t.Helper()
	comp, err := f.srv.FileComplaint(context.Background(), mockwechat.ComplaintSpec{
		AppID: f.acct.AppID, Reason: "商品质量有问题", Solution: "补发货给我", Goods: payfeedback.GoodsPhysical,
	})
	if err != nil {
		t.Fatal(err)
	}
	return comp
}

// calls returns the recorded calls of endpoint.
func (f *fake) calls(endpoint string) []mockwechat.Call {
	var out []mockwechat.Call
	for _, c := range f.srv.Calls() {
		if c.Endpoint == endpoint {
			out = append(out, c)
		}
	}
	return out
}

// codes returns the errcodes answered on endpoint, in order.
func (f *fake) codes(endpoint string) []payfeedback.ErrorCode {
	var out []payfeedback.ErrorCode
	for _, c := range f.calls(endpoint) {
		out = append(out, c.ErrCode)
	}
	return out
}

// TestUpdateFeedbackAgainstFake: the answers the fake gives on its own,
// from its state.
func TestUpdateFeedbackAgainstFake(t *testing.T) {
	other := mockwechat.Account{AppID: "wx00000000000000aa", Secret: "other-secret", PaySignKey: "other-key"}
	tests := []struct {
		name      string
		setup     func(t *testing.T, f *fake, comp mockwechat.Complaint) (openID, feedbackID string)
		mod       func(*payfeedback.ClientOptions)
		wantCode  payfeedback.ErrorCode
		wantState mockwechat.ComplaintState
	}{
		{name: "ok: handled", wantState: mockwechat.StateHandled},
		{name: "ok: again", setup: func(t *testing.T, f *fake, comp mockwechat.Complaint) (string, string) {
			mustUpdateFake(t, f, comp)
			return comp.OpenID, comp.FeedBackID
		}, wantState: mockwechat.StateHandled},
		{name: "40003 unknown openid", setup: func(t *testing.T, f *fake, comp mockwechat.Complaint) (string, string) {
			return "o-nobody", comp.FeedBackID
		}, wantCode: payfeedback.CodeInvalidOpenID, wantState: mockwechat.StateFiled},
		{name: "40003 openid of another complaint", setup: func(t *testing.T, f *fake, comp mockwechat.Complaint) (string, string) {
			return f.complaint(t).OpenID, comp.FeedBackID
		}, wantCode: payfeedback.CodeInvalidOpenID, wantState: mockwechat.StateFiled},
		{name: "47001 unknown feedbackid", setup: func(t *testing.T, f *fake, comp mockwechat.Complaint) (string, string) {
			return comp.OpenID, "13275936403980775178"
		}, wantCode: payfeedback.CodeDataFormat, wantState: mockwechat.StateFiled},
		{name: "47001 confirmed complaint", setup: func(t *testing.T, f *fake, comp mockwechat.Complaint) (string, string) {
			if err := f.srv.Confirm(context.Background(), comp.FeedBackID); err != nil {
				t.Fatal(err)
			}
			return comp.OpenID, comp.FeedBackID
		}, wantCode: payfeedback.CodeDataFormat, wantState: mockwechat.StateConfirmed},
		{name: "48001 no pay permission", setup: func(t *testing.T, f *fake, comp mockwechat.Complaint) (string, string) {
			if err := f.srv.SetPayPermission(f.acct.AppID, false); err != nil {
				t.Fatal(err)
			}
			return comp.OpenID, comp.FeedBackID
		}, wantCode: payfeedback.CodeUnauthorized, wantState: mockwechat.StateFiled},
		{name: "40125 wrong secret", mod: func(o *payfeedback.ClientOptions) { o.Secret = "not-the-secret" },
			wantCode: payfeedback.CodeInvalidSecret, wantState: mockwechat.StateFiled},
		{name: "40013 unknown appid", mod: func(o *payfeedback.ClientOptions) { o.AppID = "wx00000000000000ff" },
			wantCode: payfeedback.CodeInvalidAppID, wantState: mockwechat.StateFiled},
		{name: "47001 complaint of another account", mod: func(o *payfeedback.ClientOptions) { o.AppID, o.Secret = other.AppID, other.Secret },
			setup: func(t *testing.T, f *fake, comp mockwechat.Complaint) (string, string) {
				if _, err := f.srv.Interact(other.AppID, comp.OpenID); err != nil {
					t.Fatal(err)
				}
				return comp.OpenID, comp.FeedBackID
			}, wantCode: payfeedback.CodeDataFormat, wantState: mockwechat.StateFiled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, mockwechat.Options{Accounts: []mockwechat.Account{mockwechat.DemoAccount(), other}})
			comp := f.complaint(t)
			openID, fid := comp.OpenID, comp.FeedBackID
			if tt.setup != nil {
				openID, fid = tt.setup(t, f, comp)
			}
			err := f.client(t, tt.mod).UpdateFeedback(context.Background(), openID, fid)
			if tt.wantCode == 0 {
				if err != nil {
					t.Fatalf("UpdateFeedback: %v", err)
				}
			} else {
				var ae *payfeedback.APIError
				if !errors.As(err, &ae) || ae.Code != tt.wantCode {
					t.Fatalf("UpdateFeedback: %v, want APIError %d", err, tt.wantCode)
				}
			}
			got, _ := f.srv.Complaint(comp.FeedBackID)
			if got.State != tt.wantState {
				t.Errorf("complaint state %q, want %q", got.State, tt.wantState)
			}
			for _, c := range f.calls(payfeedback.PathUpdateFeedback) {
				if c.Method != http.MethodGet {
					t.Errorf("update called with %s, want GET", c.Method)
				}
			}
		})
	}
}

func mustUpdateFake(t *testing.T, f *fake, comp mockwechat.Complaint) {
	t.Helper()
	if err := f.client(t, nil).UpdateFeedback(context.Background(), comp.OpenID, comp.FeedBackID); err != nil {
		t.Fatalf("UpdateFeedback: %v", err)
	}
}

// allCodes is every errcode of the table in docs/protocol.md, "Error codes", but 0.
var allCodes = []payfeedback.ErrorCode{
	payfeedback.CodeSystemError, payfeedback.CodeInvalidCredential, payfeedback.CodeInvalidGrantType,
	payfeedback.CodeInvalidOpenID, payfeedback.CodeInvalidMediaID, payfeedback.CodeInvalidMsgType,
	payfeedback.CodeInvalidAppID, payfeedback.CodeTokenMissing, payfeedback.CodeAppIDMissing,
	payfeedback.CodeSecretMissing, payfeedback.CodeTokenExpired, payfeedback.CodeEmptyPostData,
	payfeedback.CodeArticleLimit, payfeedback.CodeQuotaExceeded, payfeedback.CodeOutOfWindow,
	payfeedback.CodeDataFormat, payfeedback.CodeUnauthorized,
}

// endpointCalls makes one call of each API endpoint, valid for the fake's
// state (the complaint filed, an order, a media id).
var endpointCalls = []struct {
	endpoint string
	call     func(ctx context.Context, t *testing.T, f *fake, c *payfeedback.Client, comp mockwechat.Complaint) error
}{
	{payfeedback.PathUpdateFeedback, func(ctx context.Context, t *testing.T, f *fake, c *payfeedback.Client, comp mockwechat.Complaint) error {
		return c.UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID)
	}},
	{payfeedback.PathSendMessage, func(ctx context.Context, t *testing.T, f *fake, c *payfeedback.Client, comp mockwechat.Complaint) error {
		return c.SendMessage(ctx, comp.OpenID, payfeedback.TextMessage{Content: "hello"})
	}},
	{payfeedback.PathDeliverNotify, func(ctx context.Context, t *testing.T, f *fake, c *payfeedback.Client, comp mockwechat.Complaint) error {
		return c.DeliverNotify(ctx, payfeedback.Shipment{OpenID: comp.OpenID, TransID: comp.TransID, OutTradeNo: "n1", Status: payfeedback.DeliverShipped})
	}},
	{payfeedback.PathUploadMedia, func(ctx context.Context, t *testing.T, f *fake, c *payfeedback.Client, comp mockwechat.Complaint) error {
		_, err := c.UploadMedia(ctx, payfeedback.MediaImage, "a.jpg", strings.NewReader("JPEG"))
		return err
	}},
}

// TestEveryErrorCode injects each errcode of docs/protocol.md ("Error codes") into the fake's
// answer, on the token endpoint and on each API endpoint, and checks the
// client returns it as an *APIError of the right class, retrying exactly
// the token errors once.
func TestEveryErrorCode(t *testing.T) {
	type target struct {
		faulted string // the endpoint answering the errcode
		call    int    // index in endpointCalls
	}
	var targets []target
	for i, ec := range endpointCalls {
		targets = append(targets, target{ec.endpoint, i}, target{payfeedback.PathToken, i})
	}
	for _, tg := range targets {
		called := endpointCalls[tg.call].endpoint
		for _, code := range allCodes {
			t.Run(fmt.Sprintf("%s via %s %d", tg.faulted, called, code), func(t *testing.T) {
				f := newFake(t, mockwechat.Options{})
				comp := f.complaint(t)
				f.srv.InjectFault(mockwechat.Fault{Endpoint: tg.faulted, ErrCode: code})
				err := endpointCalls[tg.call].call(context.Background(), t, f, f.client(t, nil), comp)
				retried := tg.faulted != payfeedback.PathToken &&
					(code == payfeedback.CodeInvalidCredential || code == payfeedback.CodeTokenExpired)
				if retried {
					if err != nil {
						t.Fatalf("call: %v, want success after one retry", err)
					}
					if got := f.codes(called); len(got) != 2 || got[0] != code || got[1] != 0 {
						t.Errorf("answers %v, want [%d 0]", got, code)
					}
					if n := len(f.calls(payfeedback.PathToken)); n != 2 {
						t.Errorf("%d token requests, want 2", n)
					}
					return
				}
				var ae *payfeedback.APIError
				if !errors.As(err, &ae) || ae.Code != code {
					t.Fatalf("call: %v, want APIError %d", err, code)
				}
				if ae.Msg == "" {
					t.Errorf("APIError without a message")
				}
				class := 0
				for _, is := range []func(error) bool{payfeedback.IsTokenError, payfeedback.IsLimitError, payfeedback.IsInvalidInput} {
					if is(err) {
						class++
					}
				}
				if code == payfeedback.CodeSystemError || code == payfeedback.CodeUnauthorized {
					if class != 0 {
						t.Errorf("%d classified, want no class", code)
					}
				} else if class != 1 {
					t.Errorf("%d is in %d classes, want exactly 1", code, class)
				}
				want := 1
				if tg.faulted == payfeedback.PathToken {
					want = 0
				}
				if n := len(f.calls(called)); n != want {
					t.Errorf("%d calls of %s, want %d (no retry)", n, called, want)
				}
				assertNoTokenIn(t, f, err)
			})
		}
	}
}

// TestTransportFaultsAgainstFake: HTTP statuses, dropped connections and
// slow answers from the fake.
func TestTransportFaultsAgainstFake(t *testing.T) {
	t.Run("HTTP 503", func(t *testing.T) {
		f := newFake(t, mockwechat.Options{})
		comp := f.complaint(t)
		f.srv.InjectFault(mockwechat.Fault{Endpoint: payfeedback.PathUpdateFeedback, HTTPStatus: 503})
		err := f.client(t, nil).UpdateFeedback(context.Background(), comp.OpenID, comp.FeedBackID)
		var se *payfeedback.StatusError
		if !errors.As(err, &se) || se.StatusCode != 503 || !se.Temporary() {
			t.Fatalf("UpdateFeedback: %v, want a temporary StatusError 503", err)
		}
	})
	t.Run("dropped connection", func(t *testing.T) {
		f := newFake(t, mockwechat.Options{})
		comp := f.complaint(t)
		f.srv.InjectFault(mockwechat.Fault{Endpoint: payfeedback.PathUpdateFeedback, Drop: true, Count: 5})
		err := f.client(t, nil).UpdateFeedback(context.Background(), comp.OpenID, comp.FeedBackID)
		var ue *url.Error
		if !errors.As(err, &ue) {
			t.Fatalf("UpdateFeedback: %v (%T), want a transport error", err, err)
		}
		assertNoTokenIn(t, f, err)
	})
	t.Run("slow answer, deadline", func(t *testing.T) {
		f := newFake(t, mockwechat.Options{})
		comp := f.complaint(t)
		f.srv.InjectFault(mockwechat.Fault{Endpoint: payfeedback.PathUpdateFeedback, Delay: 2 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		err := f.client(t, nil).UpdateFeedback(ctx, comp.OpenID, comp.FeedBackID)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("UpdateFeedback: %v, want context.DeadlineExceeded", err)
		}
		assertNoTokenIn(t, f, err)
	})
	for _, ec := range endpointCalls {
		t.Run("slow answer, cancelled: "+ec.endpoint, func(t *testing.T) {
			f := newFake(t, mockwechat.Options{})
			comp := f.complaint(t)
			c := f.client(t, nil)
			if _, err := c.Token(context.Background()); err != nil {
				t.Fatal(err)
			}
			// The fake answers after 500 ms (it may hold Close that long:
			// it does not notice a client gone before reading the body).
			f.srv.InjectFault(mockwechat.Fault{Endpoint: ec.endpoint, Delay: 500 * time.Millisecond})
			ctx, cancel := context.WithCancel(context.Background())
			timer := time.AfterFunc(50*time.Millisecond, cancel)
			defer timer.Stop()
			err := ec.call(ctx, t, f, c, comp)
			cancel()
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("call: %v, want context.Canceled", err)
			}
			assertNoTokenIn(t, f, err)
		})
	}
	t.Run("slow token, cancelled", func(t *testing.T) {
		f := newFake(t, mockwechat.Options{})
		f.srv.InjectFault(mockwechat.Fault{Endpoint: payfeedback.PathToken, Delay: 2 * time.Second})
		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		_, err := f.client(t, nil).Token(ctx)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Token: %v, want context.DeadlineExceeded", err)
		}
	})
}

// assertNoTokenIn checks that err shows none of the fake's tokens nor the
// secret.
func assertNoTokenIn(t *testing.T, f *fake, err error) {
	t.Helper()
	if err == nil {
		return
	}
	msg := err.Error()
	if strings.Contains(msg, f.acct.Secret) || strings.Contains(msg, f.acct.PaySignKey) {
		t.Errorf("error leaks a secret: %v", err)
	}
	for _, c := range f.srv.Calls() {
		if tok := c.Query.Get("access_token"); tok != "" && strings.Contains(msg, tok) {
			t.Errorf("error leaks an access_token: %v", err)
		}
	}
}
