package admin

import (
	"errors"
	"mime"
	"net/http"
	"net/url"
	"strings"

	"github.com/payfeedback/payfeedback/internal/text"
)

// guard keeps web pages out of the admin API. A page the developer visits
// can make the browser send requests to the fake: "simple" requests
// (form or text/plain bodies) cross-site without asking, and any request
// once its name is rebound to 127.0.0.1 (DNS rebinding). The server
// refuses a Host that does not name the fake on every path, before the
// admin API sees the request (421, see package hostguard); the guard then
// refuses, in this order:
//
//   - a foreign Origin, or a Sec-Fetch-Site other than same-origin or
//     none: 403 (a page of another origin; a page served by the fake
//     itself, such as a console, is same-origin and passes);
//   - a write (POST, PUT, PATCH, DELETE) whose Content-Type is not
//     application/json: 415 (browsers send JSON cross-site only after a
//     CORS preflight, which the fake never grants).
type guard struct{}

func (guard) check(r *http.Request) (int, error) {
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

// sameOrigin reports whether an Origin header names the host the request
// was sent to.
func sameOrigin(origin, host string) bool {
	u, err := url.Parse(origin)
	if err != nil || origin == "null" || (u.Scheme != "http" && u.Scheme != "https") {
		return false
	}
	return strings.EqualFold(u.Host, host)
}
