package hostguard

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// TestAllowsAllocs: the check runs on every request, and a loopback Host
// costs no allocation.
func TestAllowsAllocs(t *testing.T) {
	g := Rule{Addr: "127.0.0.1:8080", Listening: func() string { return "127.0.0.1:8080" }}
	for _, host := range []string{"127.0.0.1:8080", "localhost:8080", "[::1]:8080"} {
		if n := testing.AllocsPerRun(100, func() {
			if !g.Allows(host) {
				t.Fatalf("Allows(%q) = false", host)
			}
		}); n != 0 {
			t.Errorf("Allows(%q) allocates %v times, want 0", host, n)
		}
	}
}

func TestAllows(t *testing.T) {
	for _, tt := range []struct {
		g    Rule
		host string
		want bool
	}{
		{Rule{Addr: "127.0.0.1:8080"}, "127.0.0.1:8080", true},
		{Rule{Addr: "127.0.0.1:8080"}, "localhost:8080", true},
		{Rule{Addr: "127.0.0.1:8080"}, "LOCALHOST.:8080", true},
		{Rule{Addr: "127.0.0.1:8080"}, "app.localhost:8080", true},
		{Rule{Addr: "127.0.0.1:8080"}, "[::1]:8080", true},
		{Rule{Addr: "127.0.0.1:8080"}, "127.5.6.7", true},
		{Rule{Addr: "127.0.0.1:8080"}, "", true},
		{Rule{Addr: "127.0.0.1:8080"}, "evil.example:8080", false},
		{Rule{Addr: "127.0.0.1:8080"}, "evil.example.:8080", false},
		{Rule{Addr: "127.0.0.1:8080"}, "localhost.evil.example", false},
		{Rule{Addr: "127.0.0.1:8080"}, "192.168.1.2:8080", false},
		{Rule{Addr: "127.0.0.1:8080"}, "[::ffff:127.0.0.1]:8080", true},
		{Rule{Addr: "0.0.0.0:8080"}, "[fe80::1%eth0]:8080", false}, // a zone: no address, as for net.ParseIP
		{Rule{Addr: "0.0.0.0:8080"}, "[fe80::1]:8080", true},
		{Rule{Addr: "0.0.0.0:8080"}, "192.168.1.2:8080", true},
		{Rule{Addr: "0.0.0.0:8080"}, "evil.example:8080", false},
		{Rule{Addr: ":8080"}, "10.0.0.5:8080", true},
		{Rule{Addr: ":8080"}, "evil.example:8080", false},
		{Rule{Addr: "fake.test:8080"}, "FAKE.test:8080", true},
		{Rule{Listening: func() string { return "10.1.2.3:4000" }}, "10.1.2.3:4000", true},
		{Rule{Listening: func() string { return "10.1.2.3:4000" }}, "10.1.2.4:4000", false},
		{Rule{Allowed: []string{"mockwechat"}}, "mockwechat:8080", true},
		{Rule{Allowed: []string{"mockwechat:8080"}}, "mockwechat", true},
		{Rule{Allowed: []string{"mockwechat"}}, "mockwechat.evil.example", false},
		{Rule{}, "api.weixin.qq.com", true},
		{Rule{}, "api.mch.weixin.qq.com:443", true},
		{Rule{}, "API2.mch.weixin.qq.com", true},
		{Rule{}, "evil.weixin.qq.com", false},
		{Rule{}, "api.weixin.qq.com.evil.example", false},
	} {
		if got := tt.g.Allows(tt.host); got != tt.want {
			t.Errorf("%+v: Allows(%q) = %v, want %v", tt.g, tt.host, got, tt.want)
		}
	}
}

// TestRefuse: a foreign Host is answered 421 with a JSON error naming the
// setting that allows it; an allowed one is left to the caller.
func TestRefuse(t *testing.T) {
	g := Rule{Addr: "127.0.0.1:8080"}
	r := httptest.NewRequest("GET", "/", nil)
	r.Host = "rebind.evil.example:8080"
	w := httptest.NewRecorder()
	if !g.Refuse(w, r) {
		t.Fatal("a foreign Host not refused")
	}
	var body struct{ Error string }
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
		t.Fatalf("the answer %q is not JSON: %v", w.Body, err)
	}
	if w.Code != http.StatusMisdirectedRequest || !strings.Contains(body.Error, "--allow-host rebind.evil.example") ||
		!strings.Contains(body.Error, "Options.AllowedHosts") || w.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Fatalf("HTTP %d %v %q", w.Code, w.Header(), body.Error)
	}

	r.Host = "localhost:8080"
	w = httptest.NewRecorder()
	if g.Refuse(w, r) || w.Body.Len() != 0 {
		t.Fatalf("localhost refused: %q", w.Body)
	}
}

// FuzzAllows: any Host header is judged without a panic, and a foreign
// name never passes because of its port or case.
func FuzzAllows(f *testing.F) {
	for _, s := range []string{"127.0.0.1:8080", "[::1]:80", "localhost.", "evil.example:80", "[", ":", "api.weixin.qq.com:443", "%zz"} {
		f.Add(s)
	}
	g := Rule{Addr: "127.0.0.1:8080", Allowed: []string{"mockwechat"}}
	f.Fuzz(func(t *testing.T, host string) {
		ascii := strings.IndexFunc(host, func(r rune) bool { return r >= utf8.RuneSelf }) < 0
		if ascii && g.Allows(host) != g.Allows(strings.ToUpper(host)) { // ToUpper maps some non-ASCII letters to ASCII ones
			t.Fatalf("Allows(%q) depends on case", host)
		}
		if g.Allows("evil.example:"+host) && host != "" {
			// a port never makes a foreign name pass
			if _, err := strconv.Atoi(host); err == nil {
				t.Fatalf("evil.example:%s allowed", host)
			}
		}
	})
}
