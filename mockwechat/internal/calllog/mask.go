package calllog

import (
	"net/url"
	"strings"
	"unicode/utf8"
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
	switch sensitivity(key) {
	case secretParam:
		return Masked
	case tokenParam:
		if len(v) < 16 {
			return Masked
		}
		return Masked + v[len(v)-fingerprintLen:]
	}
	return v
}

type sensitive uint8

const (
	plainParam sensitive = iota
	secretParam
	tokenParam
)

// sensitivity classifies a parameter by its name.
func sensitivity(key string) sensitive {
	switch key { // the common names, without lowering
	case "appid", "openid", "feedbackid", "grant_type", "type", "transid":
		return plainParam
	case "secret", "appsecret":
		return secretParam
	case "access_token":
		return tokenParam
	}
	k := strings.ToLower(key)
	switch {
	case strings.Contains(k, "secret"), strings.Contains(k, "password"), strings.Contains(k, "passwd"),
		strings.HasSuffix(k, "key"):
		return secretParam
	case strings.Contains(k, "token"):
		return tokenParam
	}
	return plainParam
}

// maskRawQuery masks the sensitive values of a raw query string, keeping
// the rest as it came; it allocates only when something is masked.
func maskRawQuery(raw string) string {
	var b strings.Builder // empty until something is masked
	last := 0             // raw[last:] is not in b yet
	for pos := 0; pos <= len(raw); {
		end := strings.IndexByte(raw[pos:], '&')
		if end < 0 {
			end = len(raw)
		} else {
			end += pos
		}
		pair := raw[pos:end]
		if eq := strings.IndexByte(pair, '='); eq >= 0 {
			k, v := unescape(pair[:eq]), pair[eq+1:]
			if sensitivity(k) != plainParam {
				if b.Cap() == 0 {
					b.Grow(len(raw) + 16)
				}
				b.WriteString(raw[last : pos+eq+1])
				writeMasked(&b, k, unescape(v))
				last = end
			}
		}
		pos = end + 1
	}
	if b.Cap() == 0 {
		return raw
	}
	b.WriteString(raw[last:])
	return b.String()
}

// maskedEscaped is Masked, query-escaped.
const maskedEscaped = "%2A%2A%2A"

// writeMasked writes MaskValue(k, v), query-escaped.
func writeMasked(b *strings.Builder, k, v string) {
	b.WriteString(maskedEscaped)
	if sensitivity(k) == tokenParam && len(v) >= 16 {
		b.WriteString(url.QueryEscape(v[len(v)-fingerprintLen:]))
	}
}

// unescape decodes a query key or value, leaving it as it is when it is
// not valid.
func unescape(s string) string {
	if !escaped(s) {
		return s
	}
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// excerptRawQuery keeps at most limit bytes of a raw query: whole
// parameters when it can, never half an escape. A cut query is a copy, so
// that the whole one can be freed.
func excerptRawQuery(raw string, limit int) (string, bool) {
	if len(raw) <= limit {
		return raw, false
	}
	cut := raw[:limit]
	if i := strings.LastIndexByte(cut, '&'); i > 0 {
		cut = cut[:i]
	} else if i := strings.LastIndexByte(cut, '%'); i >= 0 && i > len(cut)-3 {
		cut = cut[:i]
	}
	return strings.Clone(cut), true
}

// excerpt returns b, or a copy of its first limit bytes, and whether it
// cut. A cut never splits a UTF-8 character: it steps back (at most three
// bytes) to the character's start, so a body of Chinese text stays valid
// text for the console and the CLI to show.
func excerpt(b []byte, limit int) ([]byte, bool) {
	if len(b) == 0 {
		return nil, false
	}
	if len(b) <= limit {
		return b, false
	}
	cut := limit
	for cut > 0 && cut > limit-(utf8.UTFMax-1) && !utf8.RuneStart(b[cut]) {
		cut--
	}
	if !utf8.RuneStart(b[cut]) { // not UTF-8 text: cut at the limit
		cut = limit
	}
	return append([]byte(nil), b[:cut]...), true
}

// escaped reports whether a query key or value needs decoding.
func escaped(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] == '%' || s[i] == '+' {
			return true
		}
	}
	return false
}
