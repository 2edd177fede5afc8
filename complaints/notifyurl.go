package complaints

import (
	"fmt"
	"net/netip"
	"net/url"
	"strings"
)

// NotificationURLRequest is the body creating or changing the merchant's
// callback URL (POST or PUT /v3/merchant-service/complaint-notifications).
// One URL per merchant; a partner's receives the callbacks of every
// sub-merchant.
type NotificationURLRequest struct {
	// URL is where WeChat POSTs callbacks: an https URL of at most 255
	// characters, no query string, no Chinese (internationalised) domain;
	// or, for a fake on this machine only, a plain http URL on a loopback
	// host.
	URL string `json:"url"`
}

// Validate checks r before it is sent; the error is a *ValidationError.
// Besides WeChat's rules it refuses a fragment (never sent over HTTP) and
// user information in the URL.
func (r NotificationURLRequest) Validate() error {
	return checkNotifyURL(r.URL).in("NotificationURLRequest")
}

// checkNotifyURL checks a callback URL against WeChat's rules ("回调url是
// 不能带参数的", https, no Chinese domain). A plain http URL on a loopback
// host (localhost, 127.0.0.0/8, [::1]) is let through: WeChat refuses it,
// but a fake on the same machine (mockwechat) takes it, with a warning, so
// a merchant under test can register its own address.
func checkNotifyURL(raw string) *fieldError {
	if u, err := url.Parse(raw); err == nil && u.Scheme == "http" && isLoopback(u.Hostname()) {
		raw = "https" + strings.TrimPrefix(raw, "http") // the rest of the rules apply as to https
	}
	if err := checkHTTPS("url", raw, MaxNotifyURLLength); err != nil {
		return err
	}
	u, _ := url.Parse(raw) // checkHTTPS parsed it
	host := u.Hostname()
	switch {
	case u.RawQuery != "" || u.ForceQuery:
		return &fieldError{"url", "has a query string: WeChat refuses callback URLs with parameters (put them in the path)"}
	case u.Fragment != "" || strings.Contains(raw, "#"):
		return &fieldError{"url", "has a fragment (#…), which is never sent"}
	case u.User != nil:
		return &fieldError{"url", "has user information (user@): WeChat does not authenticate that way"}
	}
	for _, label := range strings.Split(host, ".") {
		if strings.HasPrefix(strings.ToLower(label), "xn--") {
			return &fieldError{"url", fmt.Sprintf("host %q is an internationalised domain: WeChat refuses Chinese domains", host)}
		}
	}
	for _, r := range host {
		if r >= 0x80 {
			return &fieldError{"url", fmt.Sprintf("host %q is not ASCII: WeChat refuses Chinese domains", host)}
		}
	}
	return nil
}

// isLoopback reports whether host names this machine.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.IsLoopback()
}

// NotificationURL is WeChat's answer about the merchant's callback URL
// (create, query, update).
type NotificationURL struct {
	// MchID is the merchant the URL belongs to.
	MchID string `json:"mchid"`
	// URL is where callbacks go.
	URL   string `json:"url"`
	Extra Extra  `json:"-"`
}

type plainNotificationURL NotificationURL

// UnmarshalJSON decodes n, keeping undeclared members in n.Extra.
func (n *NotificationURL) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainNotificationURL)(n), &n.Extra)
}

// MarshalJSON encodes n, then n.Extra.
func (n NotificationURL) MarshalJSON() ([]byte, error) {
	p := plainNotificationURL(n)
	return encodeKeeping(&p, n.Extra)
}
