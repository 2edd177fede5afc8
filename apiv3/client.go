package apiv3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// The API hosts (docs/apiv3.md, "Hosts").
const (
	// DefaultBaseURL is WeChat Pay's API host, the nearest access point.
	DefaultBaseURL = "https://api.mch.weixin.qq.com"
	// BackupBaseURL is its backup host, a distant access point.
	BackupBaseURL = "https://api2.mch.weixin.qq.com"
)

// DefaultMaxAnswerSize bounds an answer's body: images are at most 2 MB,
// JSON answers far smaller.
const DefaultMaxAnswerSize = 16 << 20

// ClientOptions configures NewClient. MchID, Signer and Verifier are
// required.
type ClientOptions struct {
	// BaseURL is where requests go (empty: DefaultBaseURL). Point it at
	// the fake (mockwechat's URL) in tests. A path in it prefixes every
	// request's.
	BaseURL string
	// HTTPClient sends the requests (nil: a client with a 30-second
	// timeout). The Client never follows a redirect, whatever
	// HTTPClient.CheckRedirect says: APIv3 answers never redirect, and a
	// redirect elsewhere would send a signed request to another host.
	HTTPClient *http.Client
	// MchID is the calling merchant's id (商户号).
	MchID string
	// Signer signs requests with the merchant's API private key, known by
	// its API certificate's serial.
	Signer *Signer
	// Verifier verifies every answer before it is believed.
	Verifier *Verifier
	// UserAgent is sent with every request (empty: "payfeedback-apiv3");
	// WeChat refuses requests without one.
	UserAgent string
	// Retry, when set, retries requests WeChat answered with a retryable
	// error (SYSTEM_ERROR, FREQUENCY_LIMITED, any 5xx or 429) with backoff.
	// Nil: no retries.
	Retry *RetryPolicy
	// MaxAnswerSize bounds an answer's body (0: DefaultMaxAnswerSize).
	MaxAnswerSize int64
}

// Client is the signed HTTP core of APIv3, as wechatpay-go's core.Client:
// it signs each request (Authorization), asks for answers signed with a
// key it has (Wechatpay-Serial), verifies every answer, and turns error
// answers into *Error. It knows no endpoint: packages such as complaints
// build typed clients on it. It is safe for concurrent use.
type Client struct {
	base     *url.URL
	http     *http.Client
	mchid    string
	signer   *Signer
	verifier *Verifier
	ua       string
	retry    *RetryPolicy
	max      int64
}

// NewClient returns a Client, or an error saying what is missing.
func NewClient(o ClientOptions) (*Client, error) {
	switch {
	case o.MchID == "":
		return nil, errors.New("apiv3: ClientOptions.MchID is empty: give the merchant id (商户号)")
	case o.Signer == nil:
		return nil, errors.New("apiv3: ClientOptions.Signer is nil: build one with NewSigner (apiclient_key.pem and the API certificate's serial)")
	case o.Verifier == nil:
		return nil, errors.New("apiv3: ClientOptions.Verifier is nil: build one with NewVerifier (the WeChat Pay public key or the platform certificates)")
	case o.MaxAnswerSize < 0:
		return nil, errors.New("apiv3: ClientOptions.MaxAnswerSize is negative")
	}
	raw := o.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimSuffix(raw, "/"))
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" || base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf("apiv3: ClientOptions.BaseURL %q is not an http(s) URL without query: want e.g. %s", raw, DefaultBaseURL)
	}
	if o.Retry != nil {
		if err := o.Retry.validate(); err != nil {
			return nil, err
		}
	}
	c := &Client{base: base, mchid: o.MchID, signer: o.Signer, verifier: o.Verifier, ua: o.UserAgent, retry: o.Retry, max: o.MaxAnswerSize}
	if c.ua == "" {
		c.ua = "payfeedback-apiv3"
	}
	if c.max == 0 {
		c.max = DefaultMaxAnswerSize
	}
	hc := o.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	cp := *hc
	cp.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	c.http = &cp
	return c, nil
}

// MchID returns the merchant the Client calls as.
func (c *Client) MchID() string { return c.mchid }

// BaseURL returns where the Client sends requests.
func (c *Client) BaseURL() string { return c.base.String() }

// Request is one API request for Client.Do.
type Request struct {
	// Method is the HTTP method: GET, POST, PUT or DELETE.
	Method string
	// Target is the path and query, relative to the base URL
	// ("/v3/merchant-service/complaints-v2?limit=10&offset=0"), escaped as
	// it is to be sent: it is signed as sent.
	Target string
	// Body is the exact JSON sent (nil: no body).
	Body []byte
}

// Response is a verified answer.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// Verified is false only for the answers documented as unsigned (an
	// image download: see Download).
	Verified bool
}

// RequestID returns the answer's Request-ID header.
func (r *Response) RequestID() string { return r.Header.Get(HeaderRequestID) }

// Do sends req and returns the answer once its signature verifies. A 2xx
// answer that does not verify is an error (a *VerifyError: "an unsigned
// success must be treated as forged"); a non-2xx answer is an *Error,
// whose Verified says whether it was signed. With a RetryPolicy, a
// retryable *Error is retried (a fresh signature each time) until the
// policy gives up or ctx ends.
func (c *Client) Do(ctx context.Context, req Request) (*Response, error) {
	return c.do(ctx, call{method: req.Method, target: req.Target, body: req.Body, signed: req.Body, contentType: "application/json"})
}

// DownloadImage fetches an image by its URL (a complaint's media_url:
// https://api.mch.weixin.qq.com/v3/merchant-service/images/…) or by its
// path, with a signed GET. An absolute URL on WeChat's API hosts is sent
// to the base URL instead, so the fake serves it in tests; a URL on any
// other host is refused. The answer's body is the image: WeChat documents
// it as unsigned, so an answer with an image/* Content-Type and no
// signature is accepted (Response.Verified false); a signed one is
// verified.
func (c *Client) DownloadImage(ctx context.Context, mediaURL string) (*Response, error) {
	target, err := c.relative(mediaURL)
	if err != nil {
		return nil, err
	}
	return c.do(ctx, call{method: http.MethodGet, target: target, unsignedImage: true})
}

// relative turns an absolute URL on WeChat's API hosts, or the base URL's
// host, into a target relative to the base URL.
func (c *Client) relative(u string) (string, error) {
	if strings.HasPrefix(u, "/") {
		return u, nil
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" {
		return "", fmt.Errorf("apiv3: %q is neither a path nor an absolute URL", clipForError(u))
	}
	switch p.Host {
	case "api.mch.weixin.qq.com", "api2.mch.weixin.qq.com", c.base.Host:
	default:
		return "", fmt.Errorf("apiv3: %q is not on WeChat Pay's API host: refused, a signed request goes only to %s", clipForError(u), c.base.Host)
	}
	t := p.EscapedPath()
	if p.RawQuery != "" {
		t += "?" + p.RawQuery
	}
	return t, nil
}

// call is one request as the Client sends it.
type call struct {
	method, target string
	body           []byte // what is sent
	signed         []byte // what is signed: body, or an upload's meta
	contentType    string
	unsignedImage  bool // an image answer may come unsigned
	skipVerify     bool // the caller verifies (certificate download)
}

func (c *Client) do(ctx context.Context, k call) (*Response, error) {
	for attempt := 1; ; attempt++ {
		resp, err := c.once(ctx, k)
		var ae *Error
		if err == nil || c.retry == nil || !errors.As(err, &ae) || !ae.Retryable() || attempt >= c.retry.attempts() {
			return resp, err
		}
		if werr := c.retry.wait(ctx, attempt, ae.retryAfter); werr != nil {
			return nil, fmt.Errorf("%w (gave up retrying: %v)", err, werr)
		}
	}
}

func (c *Client) once(ctx context.Context, k call) (*Response, error) {
	u := c.base.Scheme + "://" + c.base.Host + c.base.EscapedPath() + k.target
	var body io.Reader
	if k.body != nil {
		body = bytes.NewReader(k.body)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, u, body)
	if err != nil {
		return nil, fmt.Errorf("apiv3: %s %s: %w", k.method, clipForError(k.target), err)
	}
	target := req.URL.RequestURI()
	auth, err := c.signer.Authorization(c.mchid, k.method, target, k.signed)
	if err != nil {
		return nil, err
	}
	h := req.Header
	h["Authorization"] = []string{auth.String()}
	h["Accept"] = []string{"application/json"}
	h["User-Agent"] = []string{c.ua}
	if k.body != nil {
		h["Content-Type"] = []string{k.contentType}
	}
	if s := c.verifier.AcceptSerial(); s != "" {
		h[HeaderSerial] = []string{s}
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("apiv3: %s %s: %w", k.method, clipForError(target), err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, c.max+1))
	if err != nil {
		return nil, fmt.Errorf("apiv3: %s %s: read the answer: %w", k.method, clipForError(target), err)
	}
	if int64(len(b)) > c.max {
		return nil, fmt.Errorf("apiv3: %s %s: the answer is larger than %d bytes (ClientOptions.MaxAnswerSize)", k.method, clipForError(target), c.max)
	}
	out := &Response{StatusCode: resp.StatusCode, Header: resp.Header, Body: b}
	sh := SignatureHeadersOf(resp.Header)
	signed := sh.Signature != "" || sh.Serial != ""
	switch {
	case resp.StatusCode >= 300 && resp.StatusCode < 400:
		return nil, fmt.Errorf("apiv3: %s %s: the answer is a %d redirect to %q: refused (APIv3 never redirects; check ClientOptions.BaseURL)", k.method, clipForError(target), resp.StatusCode, clipForError(resp.Header.Get("Location")))
	case resp.StatusCode < 200 || resp.StatusCode >= 300:
		e := ParseError(resp.StatusCode, resp.Header, b)
		if signed {
			// An error answer signed by a key this client does not have
			// (a merchant asking for certificates it has no key for yet)
			// is reported unverified, as an unsigned one; one that a known
			// key refutes is a forgery.
			switch verr := c.verifier.Verify(sh, b); {
			case verr == nil:
				e.Verified = true
			case errors.Is(verr, ErrUnknownSerial):
			default:
				return nil, fmt.Errorf("apiv3: %s %s: a %d answer claiming to be WeChat's: %w", k.method, clipForError(target), resp.StatusCode, verr)
			}
		}
		e.retryAfter = retryAfter(resp.Header)
		if e.Code == CodeSignError {
			e.SignedMessage = string(RequestMessage(k.method, target, auth.Timestamp, auth.Nonce, k.signed))
		}
		return nil, e
	case k.skipVerify:
		return out, nil
	case k.unsignedImage && !signed && strings.HasPrefix(resp.Header.Get("Content-Type"), "image/"):
		return out, nil
	}
	if err := c.verifier.Verify(sh, b); err != nil {
		return nil, fmt.Errorf("apiv3: %s %s: the %d answer does not verify, so it is not believed: %w", k.method, clipForError(target), resp.StatusCode, err)
	}
	out.Verified = true
	return out, nil
}
