package hostguard

import (
	"encoding/json"
	"net"
	"net/http"
	"strings"

	"github.com/payfeedback/payfeedback/internal/text"
)

// Rule says which Host names the fake answers to. The zero Rule allows
// loopback names and WeChat's API hosts only.
type Rule struct {
	// Addr is the address the fake was configured to listen on
	// (Options.Addr).
	Addr string
	// Listening returns the address it listens on, "" before it starts;
	// nil: none.
	Listening func() string
	// Allowed are further names, with or without a port (the port is not
	// compared): Options.AllowedHosts.
	Allowed []string
}

// Allows reports whether a request's Host ("host", "host:port" or
// "[v6]:port") names the fake. An empty Host passes: HTTP/1.0 without a
// Host header is not a browser.
func (g Rule) Allows(hostport string) bool {
	if hostport == "" {
		return true
	}
	host := Name(hostport)
	if host == "localhost" || strings.HasSuffix(host, ".localhost") || wechatHost(host) {
		return true
	}
	ip := net.ParseIP(host)
	if ip != nil && ip.IsLoopback() {
		return true
	}
	for _, a := range []string{g.Addr, g.listening()} {
		if a == "" {
			continue
		}
		h := Name(a)
		if h == host {
			return true
		}
		// Listening on every interface: any IP literal names the fake
		// (DNS rebinding needs a name).
		if u := net.ParseIP(h); (h == "" || u != nil && u.IsUnspecified()) && ip != nil {
			return true
		}
	}
	for _, a := range g.Allowed {
		if Name(a) == host {
			return true
		}
	}
	return false
}

// Refuse answers 421 Misdirected Request, with a JSON {"error": …} that
// says how to allow the name, when r's Host does not name the fake, and
// reports whether it did.
func (g Rule) Refuse(w http.ResponseWriter, r *http.Request) bool {
	if g.Allows(r.Host) {
		return false
	}
	name := text.Clip(Name(r.Host), 64)
	msg := "mockwechat: Host " + text.Clip(r.Host, 80) + " does not name the fake (loopback, its address, " +
		"WeChat's API hosts or an allowed name): refused, since a web page may be rebinding its name to the fake; " +
		"to serve this name, allow it with Options.AllowedHosts or payfeedback mock --allow-host " + name
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(http.StatusMisdirectedRequest)
	json.NewEncoder(w).Encode(struct {
		Error string `json:"error"`
	}{msg})
	return true
}

func (g Rule) listening() string {
	if g.Listening == nil {
		return ""
	}
	return g.Listening()
}

// wechatHost reports whether host is one of WeChat's API host names: the
// V1.5 API's (api.weixin.qq.com, the client's DefaultBaseURL) and WeChat
// Pay's (api.mch.weixin.qq.com and its backup api2.mch.weixin.qq.com).
// Pointing them at the fake (/etc/hosts, a DNS override, a proxy) is a
// legitimate way to test; a web page cannot rebind them.
func wechatHost(host string) bool {
	switch host {
	case "api.weixin.qq.com", "api.mch.weixin.qq.com", "api2.mch.weixin.qq.com":
		return true
	}
	return false
}

// Name returns the lower-case host of "host:port", "host" or
// "[v6]:port", without a final dot ("localhost." is localhost): the name
// to compare with another.
func Name(hostport string) string {
	h := hostport
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		h = host
	}
	return strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
}
