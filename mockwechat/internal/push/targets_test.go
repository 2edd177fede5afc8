package push

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
)

func TestNewTargets(t *testing.T) {
	for _, tt := range []struct {
		entry string
		ok    bool
	}{
		{"10.0.0.0/8", true},
		{"fd00::/8", true},
		{"10.1.2.3", true},
		{"[fd00::1]", true},
		{"fd00::1", true},
		{"merchant", true},
		{"Merchant.Example.:8000", true},
		{"10.0.0.0/33", false},
		{"10.0.0.0/", false},
		{"http://merchant", false},
		{"*.example", false},
		{"", false},
	} {
		_, err := NewTargets(tt.entry)
		if (err == nil) != tt.ok {
			t.Errorf("NewTargets(%q): %v, want ok %v", tt.entry, err, tt.ok)
		}
		if err != nil && !strings.Contains(err.Error(), tt.entry) {
			t.Errorf("NewTargets(%q): %v does not name the entry", tt.entry, err)
		}
	}
}

// TestTargetsDecision: the rule decides on the addresses a target resolves
// to, before any connection: a forbidden one is refused without a dial,
// an allowed one is dialled by address (never by name again), a name
// allowed by name is dialled as it is. No network: the lookup and the dial
// are the test's.
func TestTargetsDecision(t *testing.T) {
	resolve := map[string][]string{
		"localhost":        {"127.0.0.1", "::1"},
		"metadata.test":    {"169.254.169.254"},
		"rebind.test":      {"10.0.0.1", "127.0.0.1"},
		"internal.test":    {"10.0.0.1", "10.0.0.2"},
		"mapped.test":      {"::ffff:169.254.169.254"},
		"merchant.compose": {"172.18.0.5"},
	}
	for _, tt := range []struct {
		allow   []string
		addr    string
		dialled string // "": refused before any dial
		refusal string // in the refusal's error
	}{
		{nil, "127.0.0.1:8000", "127.0.0.1:8000", ""},
		{nil, "127.9.9.9:8000", "127.9.9.9:8000", ""},
		{nil, "[::1]:8000", "[::1]:8000", ""},
		{nil, "[::ffff:127.0.0.1]:8000", "127.0.0.1:8000", ""},
		{nil, "localhost:8000", "127.0.0.1:8000", ""},
		{nil, "169.254.169.254:80", "", "--allow-notify 169.254.169.254/32"},
		{nil, "10.0.0.1:6379", "", "--allow-notify 10.0.0.1/32"},
		{nil, "[fd00::1]:80", "", "--allow-notify fd00::1/128"},
		{nil, "[::ffff:169.254.169.254]:80", "", "--allow-notify 169.254.169.254/32"},
		{nil, "0.0.0.0:8000", "", "--allow-notify 0.0.0.0/32, or push to 127.0.0.1 instead"},
		{nil, "metadata.test:80", "", "push to metadata.test (resolved to 169.254.169.254) refused"},
		{nil, "metadata.test:80", "", "--allow-notify metadata.test (or 169.254.169.254/32)"},
		{nil, "mapped.test:80", "", "--allow-notify mapped.test (or 169.254.169.254/32)"},
		{nil, "rebind.test:80", "127.0.0.1:80", ""},
		{nil, "merchant.compose:8000", "", "--allow-notify merchant.compose (or 172.18.0.5/32)"},
		{[]string{"10.0.0.0/8"}, "10.0.0.1:6379", "10.0.0.1:6379", ""},
		{[]string{"10.0.0.0/8"}, "internal.test:80", "10.0.0.1:80", ""},
		{[]string{"10.0.0.0/8"}, "169.254.169.254:80", "", "--allow-notify 169.254.169.254/32"},
		{[]string{"169.254.169.254"}, "169.254.169.254:80", "169.254.169.254:80", ""},
		{[]string{"0.0.0.0/0"}, "169.254.169.254:80", "169.254.169.254:80", ""},
		{[]string{"merchant.compose"}, "merchant.compose:8000", "merchant.compose:8000", ""},
		{[]string{"MERCHANT.compose."}, "merchant.compose:8000", "merchant.compose:8000", ""},
	} {
		tg, err := NewTargets(tt.allow...)
		if err != nil {
			t.Fatal(err)
		}
		var dialled []string
		tg.lookup = func(_ context.Context, _, host string) ([]netip.Addr, error) {
			var out []netip.Addr
			for _, s := range resolve[host] {
				out = append(out, netip.MustParseAddr(s))
			}
			if out == nil {
				t.Errorf("%s: %s looked up", tt.addr, host)
				return nil, errors.New("no such host")
			}
			return out, nil
		}
		tg.dial = func(_ context.Context, _, addr string) (net.Conn, error) {
			dialled = append(dialled, addr)
			c, s := net.Pipe()
			s.Close()
			return c, nil
		}
		c, err := tg.DialContext(context.Background(), "tcp", tt.addr)
		if c != nil {
			c.Close()
		}
		switch {
		case tt.dialled != "" && (err != nil || len(dialled) != 1 || dialled[0] != tt.dialled):
			t.Errorf("allow %v, %s: dialled %v, err %v; want %s dialled", tt.allow, tt.addr, dialled, err, tt.dialled)
		case tt.dialled == "" && (len(dialled) != 0 || refusal(err) == nil || !strings.Contains(err.Error(), tt.refusal)):
			t.Errorf("allow %v, %s: dialled %v, err %v; want refused before any dial, saying %q", tt.allow, tt.addr, dialled, err, tt.refusal)
		}
	}
}

// TestTargetsDialsEachAllowedAddress: a name whose allowed addresses fail
// is tried on each of them in turn, by address; the error is the dial's,
// not a refusal.
func TestTargetsDialsEachAllowedAddress(t *testing.T) {
	tg, _ := NewTargets("10.0.0.0/8")
	tg.lookup = func(context.Context, string, string) ([]netip.Addr, error) {
		return []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("169.254.169.254"), netip.MustParseAddr("10.0.0.2")}, nil
	}
	var dialled []string
	refused := errors.New("connection refused")
	tg.dial = func(_ context.Context, _, addr string) (net.Conn, error) {
		dialled = append(dialled, addr)
		return nil, refused
	}
	_, err := tg.DialContext(context.Background(), "tcp", "internal.test:80")
	if !errors.Is(err, refused) || strings.Join(dialled, " ") != "10.0.0.1:80 10.0.0.2:80" {
		t.Fatalf("dialled %v, err %v", dialled, err)
	}
}

// FuzzNewTargets: any entry is read or refused without a panic, and an
// entry read never allows an address outside loopback unless it names it.
func FuzzNewTargets(f *testing.F) {
	for _, s := range []string{"10.0.0.0/8", "fd00::1", "[fd00::1]:80", "merchant:8000", "0.0.0.0/0", "", "/", "a/b", "1.2.3.4/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, entry string) {
		tg, err := NewTargets(entry)
		if err != nil {
			return
		}
		metadata := netip.MustParseAddr("169.254.169.254")
		if tg.AllowsAddr(metadata) && !strings.Contains(entry, "/") && !strings.Contains(entry, "169.254.169.254") &&
			!strings.Contains(entry, "a9fe:a9fe") && !strings.Contains(strings.ToLower(entry), "ffff") {
			t.Fatalf("entry %q allows %s", entry, metadata)
		}
	})
}
