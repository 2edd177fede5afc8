package calllog

import (
	"maps"
	"net/url"
	"slices"
	"strings"
)

// Masked is what the log shows instead of a secret.
const Masked = "***"

// fingerprintLen is how many last characters of a token the log keeps.
const fingerprintLen = 6

// MaskValue returns what the log keeps of the value of parameter key: "***"
// for a secret or a key (secret, appsecret, paysignkey, password…), "***"
// and the last six characters for a token (access_token, refresh_token…),
// the value itself otherwise.
func MaskValue(key, v string) string {
	k := strings.ToLower(key)
	switch {
	case strings.Contains(k, "secret"), strings.Contains(k, "password"), strings.Contains(k, "passwd"),
		k == "key", strings.HasSuffix(k, "key"), strings.HasSuffix(k, "_key"):
		return Masked
	case strings.Contains(k, "token"):
		if len(v) < 16 {
			return Masked
		}
		return Masked + v[len(v)-fingerprintLen:]
	}
	return v
}

// maskQuery masks q in place (the log owns it).
func maskQuery(q url.Values) {
	for k, vs := range q {
		for i, v := range vs {
			if m := MaskValue(k, v); m != v {
				vs[i] = m
			}
		}
	}
}

// excerptQuery keeps at most limit bytes of keys and values, whole
// parameters first in key order, and reports whether it cut anything.
func excerptQuery(q url.Values, limit int) (url.Values, bool) {
	total := 0
	for k, vs := range q {
		for _, v := range vs {
			total += len(k) + len(v)
		}
	}
	if total <= limit {
		return q, false
	}
	out := make(url.Values)
	left := limit
	for _, k := range slices.Sorted(maps.Keys(q)) {
		for _, v := range q[k] {
			if left <= 0 {
				return out, true
			}
			k := clip(k, left)
			left -= len(k)
			v = clip(v, max(left, 0))
			left -= len(v)
			out[k] = append(out[k], v)
		}
	}
	return out, true
}

// excerpt returns a copy of at most limit bytes of b, and whether it cut.
func excerpt(b []byte, limit int) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	if len(b) > limit {
		return slices.Clone(b[:limit]), true
	}
	return slices.Clone(b), false
}

// clip cuts s to at most n bytes, on a UTF-8 boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
