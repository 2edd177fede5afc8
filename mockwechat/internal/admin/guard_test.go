package admin

import "testing"

func TestHostAllowed(t *testing.T) {
	for _, tt := range []struct {
		g    guard
		host string
		want bool
	}{
		{guard{addr: "127.0.0.1:8080"}, "127.0.0.1:8080", true},
		{guard{addr: "127.0.0.1:8080"}, "localhost:8080", true},
		{guard{addr: "127.0.0.1:8080"}, "app.localhost:8080", true},
		{guard{addr: "127.0.0.1:8080"}, "[::1]:8080", true},
		{guard{addr: "127.0.0.1:8080"}, "127.5.6.7", true},
		{guard{addr: "127.0.0.1:8080"}, "", true},
		{guard{addr: "127.0.0.1:8080"}, "evil.example:8080", false},
		{guard{addr: "127.0.0.1:8080"}, "192.168.1.2:8080", false},
		{guard{addr: "0.0.0.0:8080"}, "192.168.1.2:8080", true},
		{guard{addr: ":8080"}, "10.0.0.5:8080", true},
		{guard{addr: ":8080"}, "evil.example:8080", false},
		{guard{addr: "fake.test:8080"}, "FAKE.test:8080", true},
		{guard{listening: func() string { return "10.1.2.3:4000" }}, "10.1.2.3:4000", true},
		{guard{allowed: []string{"mockwechat"}}, "mockwechat:8080", true},
		{guard{allowed: []string{"mockwechat:8080"}}, "mockwechat", true},
	} {
		if got := tt.g.hostAllowed(tt.host); got != tt.want {
			t.Errorf("%+v: hostAllowed(%q) = %v, want %v", tt.g, tt.host, got, tt.want)
		}
	}
}

func TestSameOrigin(t *testing.T) {
	for _, tt := range []struct {
		origin, host string
		want         bool
	}{
		{"http://127.0.0.1:8080", "127.0.0.1:8080", true},
		{"https://Fake.test", "fake.test", true},
		{"http://127.0.0.1:3000", "127.0.0.1:8080", false},
		{"null", "127.0.0.1:8080", false},
		{"file://", "127.0.0.1:8080", false},
		{"::", "127.0.0.1:8080", false},
	} {
		if got := sameOrigin(tt.origin, tt.host); got != tt.want {
			t.Errorf("sameOrigin(%q, %q) = %v, want %v", tt.origin, tt.host, got, tt.want)
		}
	}
}
