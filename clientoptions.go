package payfeedback

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// ClientOptions configures a Client. AppID and Secret are required.
//
// String and LogValue never show Secret or PaySignKey.
type ClientOptions struct {
	// AppID is the official account's appid.
	AppID string
	// Secret is the appSecret, sent to /cgi-bin/token only.
	Secret string
	// PaySignKey (the appKey) signs DeliverNotify; it never travels on the
	// network. Only DeliverNotify needs it.
	PaySignKey string
	// BaseURL is the API host, with an optional path prefix; "" means
	// DefaultBaseURL. Point it at mockwechat (its URL field) in tests.
	BaseURL string
	// HTTPClient sends the requests; nil means a client with a 30-second
	// timeout. Every call also honours its context. The client uses a copy
	// of it that never follows a redirect off BaseURL's scheme, host and
	// port (see ErrRedirectRefused); redirects within them go through its
	// CheckRedirect, if any.
	HTTPClient *http.Client
	// Logger receives one debug record per API call and info records for
	// token refreshes, never a secret or a token; nil discards.
	Logger *slog.Logger
	// TokenStore shares the access_token between instances; nil means a
	// MemoryTokenStore of this client's own.
	TokenStore TokenStore
	// RefreshMargin is how long before expiry a token is renewed; 0 means
	// DefaultRefreshMargin.
	RefreshMargin time.Duration
	// LeaseTTL bounds a refresh (see DefaultLeaseTTL); 0 means
	// DefaultLeaseTTL.
	LeaseTTL time.Duration
	// MaxArticles is the most articles a news message may carry before
	// SendMessage refuses it; 0 means DefaultMaxArticles (10, the first
	// documented limit). The live API lowered the limit over time: set what
	// your account has.
	MaxArticles int
	// Now is the clock judging token expiry and stamping DeliverNotify; nil
	// means time.Now. Give mockwechat's virtual clock in tests.
	Now func() time.Time
	// Retry retries calls answered errcode -1 or an HTTP 5xx, with backoff
	// and jitter, within each call's context (see RetryPolicy). The zero
	// value never retries.
	Retry RetryPolicy
	// Metrics receives one CallObservation per HTTP request to WeChat
	// (endpoint, HTTP status, errcode, latency); nil means none.
	Metrics ClientMetrics
}

// Validate reports the first problem of o that NewClient refuses, or nil: a
// blank AppID or Secret (an unset variable), a Secret or PaySignKey with
// white space around it (a line read from a file), a BaseURL that is not an
// absolute http(s) URL, a negative duration or limit, a retry policy that
// cannot be followed. Errors never show a secret.
func (o ClientOptions) Validate() error {
	_, err := o.validate()
	return err
}

// validate is Validate, returning the parsed base URL too.
func (o ClientOptions) validate() (*url.URL, error) {
	const pre = "payfeedback: NewClient: "
	switch {
	case strings.TrimSpace(o.AppID) == "":
		return nil, errors.New(pre + "ClientOptions.AppID is required (the official account's appid)")
	case strings.TrimSpace(o.Secret) == "":
		return nil, errors.New(pre + "ClientOptions.Secret is required (the appSecret of the token API)")
	case strings.TrimSpace(o.Secret) != o.Secret:
		return nil, errors.New(pre + "ClientOptions.Secret has white space around it (a line read from a file?): trim it")
	case strings.TrimSpace(o.PaySignKey) != o.PaySignKey:
		return nil, errors.New(pre + "ClientOptions.PaySignKey has white space around it (a line read from a file?): trim it")
	case o.RefreshMargin < 0 || o.LeaseTTL < 0 || o.MaxArticles < 0:
		return nil, errors.New(pre + "RefreshMargin, LeaseTTL and MaxArticles must not be negative (0 means the default)")
	}
	if err := o.Retry.validate(); err != nil {
		return nil, errors.New(pre + err.Error())
	}
	raw := o.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(raw)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" || base.RawQuery != "" || base.Fragment != "" {
		return nil, fmt.Errorf(pre+"ClientOptions.BaseURL %q is not an absolute http(s) URL without query, like %s", raw, DefaultBaseURL)
	}
	return base, nil
}

// String describes the options without their secrets.
func (o ClientOptions) String() string {
	return fmt.Sprintf("ClientOptions{AppID:%q Secret:%s PaySignKey:%s BaseURL:%q}",
		o.AppID, redacted(o.Secret), redacted(o.PaySignKey), o.BaseURL)
}

// GoString is String, so %#v does not print the secrets either.
func (o ClientOptions) GoString() string { return o.String() }

// LogValue implements slog.LogValuer without the secrets.
func (o ClientOptions) LogValue() slog.Value {
	return slog.GroupValue(slog.String("appid", o.AppID), slog.String("base_url", o.BaseURL))
}

func redacted(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}
