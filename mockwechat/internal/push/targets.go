package push

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/payfeedback/payfeedback/mockwechat/internal/hostguard"
)

// Targets says where pushes may go. Whoever reaches the admin API can set
// an account's notify_url; without a rule, the fake would POST to any
// address (a cloud's metadata service, a port on the host's private
// network) and keep the first bytes of the answer for the caller to read:
// a relay into networks the caller cannot reach. So a push goes only to
//
//   - a loopback address (127.0.0.0/8, ::1), the default;
//   - an address in one of the allowed prefixes (CIDRs, or single IPs);
//   - a host name allowed by name, whatever it resolves to (a compose
//     service name, say).
//
// The rule is applied when the connection is made, to the addresses the
// name resolves to then: the engine resolves the name itself, checks each
// address, and dials the allowed address it checked (never the name
// again), so a name that resolves to a forbidden address, or that changes
// its answer between a check and a dial (DNS rebinding), is refused before
// any packet is sent to it. An unspecified address (0.0.0.0, ::) is not
// loopback and is refused: connecting to it reaches the host itself.
//
// The zero Targets allows loopback only. Targets is immutable once made.
type Targets struct {
	names    map[string]bool
	prefixes []netip.Prefix
	// lookup resolves a name (net.DefaultResolver.LookupNetIP when nil);
	// dial connects to an address the rule allowed (a net.Dialer's when
	// nil). Tests set them, to watch the decision without a network.
	lookup func(ctx context.Context, network, host string) ([]netip.Addr, error)
	dial   func(ctx context.Context, network, addr string) (net.Conn, error)
}

// NewTargets returns the rule that allows loopback and each entry of allow:
// a CIDR ("10.0.0.0/8", "fd00::/8"), an IP ("10.1.2.3", a /32 or /128),
// or a host name (a port, if given, is ignored; case and a final dot do
// not matter). The error names the entry it cannot read.
func NewTargets(allow ...string) (Targets, error) {
	t := Targets{names: make(map[string]bool)}
	for _, entry := range allow {
		e := strings.TrimSpace(entry)
		if strings.Contains(e, "/") {
			p, err := netip.ParsePrefix(e)
			if err != nil {
				return Targets{}, fmt.Errorf("mockwechat: push target %q: not a CIDR (want e.g. 10.0.0.0/8 or fd00::/8): %v", entry, err)
			}
			t.prefixes = append(t.prefixes, p.Masked())
			continue
		}
		h := hostguard.Name(e)
		if ip, err := netip.ParseAddr(h); err == nil {
			ip = ip.Unmap().WithZone("")
			t.prefixes = append(t.prefixes, netip.PrefixFrom(ip, ip.BitLen()))
			continue
		}
		if !validName(h) {
			return Targets{}, fmt.Errorf("mockwechat: push target %q: neither a CIDR, an IP nor a host name", entry)
		}
		t.names[h] = true
	}
	return t, nil
}

// AllowsName reports whether a host name is allowed whatever it resolves
// to.
func (t Targets) AllowsName(host string) bool { return t.names[hostguard.Name(host)] }

// AllowsAddr reports whether pushes may connect to ip: loopback, or in an
// allowed prefix.
func (t Targets) AllowsAddr(ip netip.Addr) bool {
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return true
	}
	for _, p := range t.prefixes {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// TargetRefusedError is a push the rule refused before connecting: the
// host of the notify_url and the addresses it stood for, none allowed.
type TargetRefusedError struct {
	// Host is the notify_url's host: a name or an IP.
	Host string
	// Addrs are the addresses Host resolved to (Host itself for an IP).
	Addrs []netip.Addr
}

// Error says what was refused and what to set to allow it.
func (e *TargetRefusedError) Error() string {
	cidrs := make([]string, len(e.Addrs))
	for i, a := range e.Addrs {
		cidrs[i] = netip.PrefixFrom(a, a.BitLen()).String()
	}
	what, allow := e.Host, e.Host
	if _, err := netip.ParseAddr(e.Host); err == nil && len(cidrs) == 1 {
		allow = cidrs[0]
		if e.Addrs[0].IsUnspecified() {
			allow += ", or push to 127.0.0.1 instead"
		}
	} else if len(cidrs) > 0 {
		ips := make([]string, len(e.Addrs))
		for i, a := range e.Addrs {
			ips[i] = a.String()
		}
		what += " (resolved to " + strings.Join(ips, ", ") + ")"
		allow += " (or " + strings.Join(cidrs, ", ") + ")"
	}
	return "mockwechat: push to " + what + " refused: neither loopback nor an allowed target (the fake is no relay into " +
		"other networks); allow it with Options.AllowNotify or payfeedback mock --allow-notify " + allow
}

// DialContext connects to addr ("host:port") if the rule allows it: a
// name allowed by name is dialled as it is; otherwise the name is
// resolved, and the allowed addresses are dialled in turn (never the name
// again). When no address is allowed, it returns a *TargetRefusedError
// without sending a packet to any.
func (t Targets) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	dial := t.dial
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	if t.AllowsName(host) {
		return dial(ctx, network, addr)
	}
	var addrs []netip.Addr
	if ip, err := netip.ParseAddr(host); err == nil {
		addrs = []netip.Addr{ip.Unmap()}
	} else {
		lookup := t.lookup
		if lookup == nil {
			lookup = net.DefaultResolver.LookupNetIP
		}
		ipNet := "ip"
		switch network {
		case "tcp4":
			ipNet = "ip4"
		case "tcp6":
			ipNet = "ip6"
		}
		if addrs, err = lookup(ctx, ipNet, host); err != nil {
			return nil, err
		}
		for i := range addrs {
			addrs[i] = addrs[i].Unmap()
		}
	}
	var firstErr error
	tried := false
	for _, ip := range addrs {
		if !t.AllowsAddr(ip) {
			continue
		}
		tried = true
		c, err := dial(ctx, network, net.JoinHostPort(ip.String(), port))
		if err == nil {
			return c, nil
		}
		if firstErr == nil {
			firstErr = err
		}
		if ctx.Err() != nil {
			break
		}
	}
	if !tried {
		return nil, &TargetRefusedError{Host: host, Addrs: addrs}
	}
	return nil, firstErr
}

// refusal returns the *TargetRefusedError err wraps, or nil.
func refusal(err error) *TargetRefusedError {
	var re *TargetRefusedError
	if errors.As(err, &re) {
		return re
	}
	return nil
}

// validName reports whether s can be a host name: letters, digits, '-',
// '_' and dots, not empty.
func validName(s string) bool {
	if s == "" || len(s) > 253 {
		return false
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
		default:
			return false
		}
	}
	return true
}
