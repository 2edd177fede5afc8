package admin

import (
	"errors"
	"mime"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/payfeedback/payfeedback/internal/text"
)

// guard keeps web pages out of the admin API. A page the developer visits
// can make the browser send requests to the fake: "simple" requests
// (form or text/plain bodies) cross-site without asking, and any request
// once its name is rebound to 127.0.0.1 (DNS rebinding). So the guard
// refuses, in this order:
//
//   - a Host that is neither a loopback name (localhost, *.localhost, a
//     loopback IP), nor the address the fake was configured with or
//     listens on, nor one of the allowed hosts: 421 (DNS rebinding names
//     the attacker's host);
//   - a foreign Origin, or a Sec-Fetch-Site other than same-origin or
//     none: 403 (a page of another origin; a page served by the fake
//     itself, such as a console, is same-origin and passes);
//   - a write (POST, PUT, PATCH, DELETE) whose Content-Type is not
//     application/json: 415 (browsers send JSON cross-site only after a
//     CORS preflight, which the fake never grants).
type guard struct {
	addr      string
	listening func() string
	allowed   []string
}

func (g guard) check(r *http.Request) (int, error) {
	if !g.hostAllowed(r.Host) {
		return http.StatusMisdirectedRequest, errors.New("mockwechat: admin: Host " + text.Clip(r.Host, 64) +
			" is neither loopback nor the fake's address: the admin API refuses it (a web page may be rebinding its name to the fake); " +
			"allow it with Options.AllowedHosts or payfeedback mock --allow-host")
	}
	if origin := r.Header.Get("Origin"); origin != "" && !sameOrigin(origin, r.Host) {
		return http.StatusForbidden, errors.New("mockwechat: admin: Origin " + text.Clip(origin, 64) +
			" is not the fake's own: the admin API refuses calls from other web pages")
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		return http.StatusForbidden, errors.New("mockwechat: admin: a " + text.Clip(site, 16) +
			" request (Sec-Fetch-Site): the admin API refuses calls from other web pages")
	}
	switch r.Method {
	case http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete:
		if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
			return http.StatusUnsupportedMediaType, errors.New("mockwechat: admin: writes need Content-Type: application/json " +
				"(curl -H 'Content-Type: application/json' …); other types are refused because browsers send them cross-site")
		}
	}
	return 0, nil
}

// hostAllowed reports whether a request's Host names the fake.
func (g guard) hostAllowed(hostport string) bool {
	if hostport == "" {
		return true // HTTP/1.0 without Host: not a browser
	}
	host := hostOnly(hostport)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	if ip != nil && ip.IsLoopback() {
		return true
	}
	for _, a := range []string{g.addr, g.listen()} {
		if a == "" {
			continue
		}
		h := hostOnly(a)
		if h == host {
			return true
		}
		// Listening on every interface: any IP literal names the fake
		// (DNS rebinding needs a name).
		if u := net.ParseIP(h); (h == "" || u != nil && u.IsUnspecified()) && ip != nil {
			return true
		}
	}
	for _, a := range g.allowed {
		if hostOnly(a) == host {
			return true
		}
	}
	return false
}

func (g guard) listen() string {
	if g.listening == nil {
		return ""
	}
	return g.listening()
}

// hostOnly returns the lower-case host of "host:port", "host" or
// "[v6]:port".
func hostOnly(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	return strings.ToLower(strings.Trim(h, "[]"))
}

// sameOrigin reports whether an Origin header names the host the request
// was sent to.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || origin == "null" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.EqualFold(u.Host, host)
}
