package payfeedback

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	mathrand "math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultBaseURL is the real WeChat API host. Tests give the fake's URL in
// ClientOptions.BaseURL instead; nothing in the package points anywhere by
// itself.
const DefaultBaseURL = "https://api.weixin.qq.com"

// MaxResponseSize bounds the body of an API answer the Client reads. WeChat's
// answers are a few hundred bytes; anything larger is refused.
const MaxResponseSize = 1 << 20

// Client calls the WeChat API for one official account: the complaint
// update, customer-service messages, deliver notify and media upload. It is
// safe for concurrent use; make one per appid and share it.
//
// # Tokens
//
// The access_token is fetched on first use, cached, and renewed
// RefreshMargin (5 minutes by default) before the expires_in WeChat
// answered, so calls never carry a token about to expire. Within a process
// one refresh runs at a time per client (single-flight): concurrent callers
// wait for it, each within its own context. Across instances the TokenStore
// shares the token and a lease: only the lease holder asks WeChat, the others
// poll the store with backoff (honouring their contexts) and use the token it
// stores; while it refreshes ahead of expiry, the previous, still valid token
// keeps being used. A call answered 40001 (invalid credential) or 42001
// (expired) is retried once with a new token, and the token is replaced only
// if the store still holds the one that was rejected (compare-and-refresh):
// a caller that saw a stale token does not throw away the one another caller
// already renewed.
//
// # Errors
//
// An answer with errcode ≠ 0 is an *APIError (errors.As; IsTokenError,
// IsLimitError, IsInvalidInput classify it). An answer with an HTTP status
// other than 2xx is a *StatusError. Arguments and messages are checked
// before anything is sent: a *ValidationError (errors.Is ErrInvalidRequest)
// says which rule was broken. Transport errors are wrapped (errors.Is works
// for context.Canceled and context.DeadlineExceeded). No error or log record
// carries the secret, the paySignKey or an access_token: URLs in errors have
// them replaced by "REDACTED".
//
// # Retries and metrics
//
// ClientOptions.Retry (off by default) retries calls answered errcode -1 or
// an HTTP 5xx with backoff and jitter, within each call's context; see
// RetryPolicy for what is never retried and why. ClientOptions.Metrics
// receives one CallObservation per HTTP request (endpoint, HTTP status,
// errcode, attempt, latency); examples/metrics exposes them to Prometheus.
//
// # Choices where the protocol is silent
//
//   - Only 40001 and 42001 are retried by default, once; -1 and HTTP 5xx
//     are reported (Temporary says so), or retried with backoff when
//     ClientOptions.Retry asks for it.
//   - A token WeChat answers without a positive expires_in is refused.
//   - If the TokenStore cannot store a new token, the token is used anyway
//     and a warning logged: the other instances will fetch their own.
//   - An instance that dies holding the lease delays the others by LeaseTTL
//     at most; they poll every 10 ms to 500 ms (with jitter) meanwhile.
//   - Messages are checked for what WeChat's document requires
//     (docs/protocol.md, "Customer-service messages"): the required fields
//     of each type, present and not empty (a value of white space only is
//     sent as given), and the article limit; plus one rule of the kit's
//     own: a news message needs one article at least (the document sets no
//     minimum). Every field of a news article is optional; URLs are passed
//     as given. The fake WeChat accepts exactly what the client sends and
//     refuses what it refuses.
//   - The openid and feedbackid arguments must not be blank: no complaint
//     has a blank one, so the call is refused before anything is sent.
//   - Media uploads are bounded by MaxMediaSize; the per-type size limits
//     (which changed over the API's life) are left to WeChat, which answers
//     40006 for an oversized file.
//   - An empty answer (what WeChat may send to a news message over the
//     article limit) is an error, never a success.
//   - The calls whose answer is only {"errcode":0,"errmsg":"ok"} (update,
//     customer-service messages, deliver notify) succeed on errcode 0, as
//     the document has it; an answer without errcode is refused as not
//     WeChat's. The token and media answers carry no errcode when they
//     succeed: they succeed when they hold what was asked for.
//   - Redirects are followed only within BaseURL's scheme, host and port
//     (ErrRedirectRefused): WeChat's API does not redirect, and a call that
//     "succeeded" against another host would mark nothing handled.
type Client struct {
	appID, secret, paySignKey string
	base                      *url.URL
	hc                        *http.Client
	log                       *slog.Logger
	store                     TokenStore
	margin, leaseTTL          time.Duration
	maxArticles               int
	now                       func() time.Time
	holder                    string // lease holder id, random per client
	retry                     RetryPolicy
	metrics                   ClientMetrics

	mu     sync.Mutex
	cached Token
	flight *tokenFlight
}

// NewClient returns a client for opts, or the error of opts.Validate: a
// blank AppID or Secret, a BaseURL that is not an absolute http or https
// URL, … (fail fast at start-up rather than on the first complaint).
func NewClient(opts ClientOptions) (*Client, error) {
	base, err := opts.validate()
	if err != nil {
		return nil, err
	}
	base.Path = strings.TrimRight(base.Path, "/")
	base.RawPath = ""
	c := &Client{
		appID:       strings.TrimSpace(opts.AppID),
		secret:      opts.Secret,
		paySignKey:  opts.PaySignKey,
		base:        base,
		hc:          opts.HTTPClient,
		log:         opts.Logger,
		store:       opts.TokenStore,
		margin:      opts.RefreshMargin,
		leaseTTL:    opts.LeaseTTL,
		maxArticles: opts.MaxArticles,
		now:         opts.Now,
		retry:       opts.Retry.withDefaults(),
		metrics:     opts.Metrics,
	}
	if c.hc == nil {
		c.hc = &http.Client{Timeout: 30 * time.Second}
	}
	c.hc = confineRedirects(c.hc, base)
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.store == nil {
		c.store = NewMemoryTokenStore(MemoryTokenStoreOptions{Now: c.now})
	}
	if c.margin == 0 {
		c.margin = DefaultRefreshMargin
	}
	if c.leaseTTL == 0 {
		c.leaseTTL = DefaultLeaseTTL
	}
	if c.maxArticles == 0 {
		c.maxArticles = DefaultMaxArticles
	}
	var id [8]byte
	_, _ = rand.Read(id[:]) // crypto/rand.Read never fails
	c.holder = hex.EncodeToString(id[:])
	return c, nil
}

// AppID returns the appid the client calls for.
func (c *Client) AppID() string { return c.appID }

// Token returns a usable access_token, fetching or renewing it as needed
// (see Client). Most callers never need it: every call gets its own.
func (c *Client) Token(ctx context.Context) (Token, error) {
	return c.token(ctx, "")
}

// UpdateFeedback marks the complaint feedbackID of user openid handled
// (see docs/protocol.md). Do it only once the complaint really is handled:
// the user is then asked to confirm or reject. It sends a GET: the document
// gives the URL, not the method, so GET is the kit's choice, the one every
// known client makes (the fake WeChat makes the same choice and answers
// other methods 405).
func (c *Client) UpdateFeedback(ctx context.Context, openID, feedbackID string) error {
	if err := requireArgs("UpdateFeedback", "openid", openID, "feedbackid", feedbackID); err != nil {
		return err
	}
	return c.withToken(ctx, "UpdateFeedback", func(ctx context.Context, tok string) error {
		q := url.Values{"access_token": {tok}, "openid": {openID}, "feedbackid": {feedbackID}}
		return c.do(ctx, "UpdateFeedback", http.MethodGet, PathUpdateFeedback, q, "", nil, nil)
	})
}

// SendMessage sends msg to user openid as a customer-service message
// (see docs/protocol.md), after validating it (msg.Validate with the client's
// MaxArticles): an invalid message is never sent. WeChat accepts it only
// within the interaction window (24 hours after the user's last interaction,
// a complaint included); outside it answers 45015 (IsLimitError).
func (c *Client) SendMessage(ctx context.Context, openID string, msg Message) error {
	if err := requireArgs("SendMessage", "openid", openID); err != nil {
		return err
	}
	body, err := encodeMessage(openID, msg, MessageLimits{MaxArticles: c.maxArticles})
	if err != nil {
		return err
	}
	return c.withToken(ctx, "SendMessage", func(ctx context.Context, tok string) error {
		q := url.Values{"access_token": {tok}}
		return c.do(ctx, "SendMessage", http.MethodPost, PathSendMessage, q, "application/json; charset=utf-8", body, nil)
	})
}

// withToken runs call with an access_token, and once more with a new one if
// the first was rejected with 40001 or 42001.
func (c *Client) withToken(ctx context.Context, op string, call func(ctx context.Context, token string) error) error {
	tok, err := c.token(ctx, "")
	if err != nil {
		return err
	}
	err = call(ctx, tok.Value)
	var ae *APIError
	if !errors.As(err, &ae) || (ae.Code != CodeInvalidCredential && ae.Code != CodeTokenExpired) {
		return err
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "access_token rejected; renewing it and retrying once",
		slog.String("op", op), slog.Int("errcode", int(ae.Code)))
	tok, err = c.token(ctx, tok.Value)
	if err != nil {
		return err
	}
	return call(ctx, tok.Value)
}

// StatusError is an answer with an HTTP status other than 2xx. WeChat
// answers its errors with 200 and an errcode, so this usually means a proxy,
// a wrong BaseURL or an outage.
type StatusError struct {
	// Op is the call, e.g. "UpdateFeedback".
	Op string
	// StatusCode is the HTTP status.
	StatusCode int
}

// Error implements error.
func (e *StatusError) Error() string {
	return fmt.Sprintf("payfeedback: %s: HTTP status %d %s (WeChat answers errors with 200: check BaseURL and any proxy)",
		e.Op, e.StatusCode, http.StatusText(e.StatusCode))
}

// Temporary reports whether retrying later may succeed (5xx, 429).
func (e *StatusError) Temporary() bool {
	return e.StatusCode >= 500 || e.StatusCode == http.StatusTooManyRequests
}

// envelope is the error part of every answer (see docs/protocol.md).
type envelope struct {
	ErrCode *ErrorCode `json:"errcode"`
	ErrMsg  string     `json:"errmsg"`
}

// attempt sends one request, decodes the answer and observes it.
func (c *Client) attempt(ctx context.Context, op, method, path string, query url.Values, contentType string, body []byte, out any, n int) error {
	start := time.Now()
	status, code, err := c.roundTrip(ctx, op, method, path, query, contentType, body, out)
	if c.metrics != nil {
		c.metrics.ObserveCall(CallObservation{Endpoint: path, Status: status, Code: code, Err: err, Attempt: n, Latency: time.Since(start)})
	}
	return err
}

// roundTrip sends one request and decodes the answer into out (when not
// nil). It returns the HTTP status (0 without an answer) and the errcode
// answered; an errcode ≠ 0 becomes an *APIError. A call without out is one
// whose answer is only the envelope, so errcode must be there; with out,
// a missing errcode is a success (the token and media answers).
func (c *Client) roundTrip(ctx context.Context, op, method, path string, query url.Values, contentType string, body []byte, out any) (int, ErrorCode, error) {
	u := *c.base
	u.Path += path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return 0, CodeOK, fmt.Errorf("payfeedback: %s: building the request: %w", op, redactErr(err, &u))
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	start := time.Now()
	resp, err := c.hc.Do(req)
	if err != nil {
		c.log.LogAttrs(ctx, slog.LevelDebug, "wechat call failed", slog.String("op", op),
			slog.String("path", path), slog.Duration("elapsed", time.Since(start)))
		return 0, CodeOK, fmt.Errorf("payfeedback: %s: %w", op, redactErr(err, &u))
	}
	defer resp.Body.Close()
	status := resp.StatusCode
	data, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseSize+1))
	if err != nil {
		return status, CodeOK, fmt.Errorf("payfeedback: %s: reading the answer: %w", op, redactErr(err, &u))
	}
	attrs := []slog.Attr{slog.String("op", op), slog.String("path", path),
		slog.Int("status", status), slog.Duration("elapsed", time.Since(start))}
	if status < 200 || status > 299 {
		c.log.LogAttrs(ctx, slog.LevelDebug, "wechat call", attrs...)
		return status, CodeOK, &StatusError{Op: op, StatusCode: status}
	}
	if len(data) > MaxResponseSize {
		return status, CodeOK, fmt.Errorf("payfeedback: %s: the answer is larger than %d bytes: check BaseURL", op, MaxResponseSize)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		c.log.LogAttrs(ctx, slog.LevelDebug, "wechat call", attrs...)
		return status, CodeOK, fmt.Errorf("payfeedback: %s: the answer is empty; WeChat may answer nothing to a news message over the account's article limit (see docs/protocol.md): lower ClientOptions.MaxArticles, otherwise check BaseURL", op)
	}
	var env envelope
	if err := json.Unmarshal(data, &env); err != nil {
		c.log.LogAttrs(ctx, slog.LevelDebug, "wechat call", attrs...)
		return status, CodeOK, fmt.Errorf("payfeedback: %s: the answer (%d bytes, %s) is not a JSON object: check BaseURL",
			op, len(data), resp.Header.Get("Content-Type"))
	}
	code := CodeOK
	if env.ErrCode != nil {
		code = *env.ErrCode
	} else if out == nil {
		// The answer is nothing but the envelope: {"errcode":0,"errmsg":"ok"}
		// in the document. Without errcode it is not WeChat's answer.
		c.log.LogAttrs(ctx, slog.LevelDebug, "wechat call", attrs...)
		return status, CodeOK, fmt.Errorf("payfeedback: %s: the answer has no errcode, where WeChat answers {\"errcode\":0,\"errmsg\":\"ok\"}: check BaseURL and any proxy", op)
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "wechat call", append(attrs, slog.Int("errcode", int(code)))...)
	if code != CodeOK {
		msg := env.ErrMsg
		if msg == "" {
			msg = code.Message()
		}
		return status, code, &APIError{Code: code, Msg: msg}
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			return status, code, fmt.Errorf("payfeedback: %s: the answer does not have the expected shape: %v", op, err)
		}
	}
	return status, code, nil
}

// redactErr replaces the URL of a *url.Error (which would carry the secret
// or the access_token in its query) by one with those values redacted.
func redactErr(err error, u *url.URL) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: redactURL(u), Err: ue.Err}
	}
	return err
}

// redactURL returns u with the secret and access_token query values
// replaced by REDACTED.
func redactURL(u *url.URL) string {
	r := *u
	q := r.Query()
	for _, k := range []string{"secret", "access_token"} {
		if q.Has(k) {
			q.Set(k, "REDACTED")
		}
	}
	r.RawQuery = q.Encode()
	return r.String()
}

// requireArgs checks that each named argument (pairs of name, value) is not
// blank.
func requireArgs(op string, pairs ...string) error {
	for i := 0; i+1 < len(pairs); i += 2 {
		if strings.TrimSpace(pairs[i+1]) == "" {
			return &ValidationError{Subject: op, Field: pairs[i], Rule: "required"}
		}
	}
	return nil
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// jitter returns d ± 25 %, so instances waiting for one lease do not poll in
// lock-step.
func jitter(d time.Duration) time.Duration {
	q := int64(d / 4)
	if q <= 0 {
		return d
	}
	return d - time.Duration(q) + time.Duration(mathrand.Int64N(2*q))
}

// ErrRedirectRefused is wrapped by the error of a call whose answer
// redirected it off ClientOptions.BaseURL's scheme, host and port. WeChat's
// API does not redirect; following such a redirect would send the call (and
// its access_token) to another host and could report a success that
// WeChat never saw.
var ErrRedirectRefused = errors.New("payfeedback: redirect off BaseURL refused")

// redirectError names where a refused redirect pointed (scheme, host and
// port only: the location's query may carry the access_token).
type redirectError struct {
	to, base string
}

func (e *redirectError) Error() string {
	return fmt.Sprintf("redirect to %s refused: the client follows redirects only within ClientOptions.BaseURL (%s); check BaseURL and any proxy in between",
		e.to, e.base)
}

func (e *redirectError) Unwrap() error { return ErrRedirectRefused }

// confineRedirects returns a copy of hc that refuses a redirect off base's
// origin (scheme, host and port) and hands the others to hc's own
// CheckRedirect (or net/http's default: at most 10). hc itself is left as
// it was.
func confineRedirects(hc *http.Client, base *url.URL) *http.Client {
	confined := *hc
	next := hc.CheckRedirect
	want := origin(base)
	confined.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if got := origin(req.URL); got != want {
			return &redirectError{to: got, base: want}
		}
		if next != nil {
			return next(req, via)
		}
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return nil
	}
	return &confined
}

// origin returns u's scheme, host and port, lower-cased, with the
// scheme's default port made explicit.
func origin(u *url.URL) string {
	scheme := strings.ToLower(u.Scheme)
	port := u.Port()
	if port == "" {
		switch scheme {
		case "http":
			port = "80"
		case "https":
			port = "443"
		}
	}
	return scheme + "://" + strings.ToLower(net.JoinHostPort(u.Hostname(), port))
}
