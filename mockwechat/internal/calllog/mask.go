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
	masked, tail := fingerprint(key, v)
	switch {
	case !masked:
		return v
	case tail == "":
		return Masked
	}
	return Masked + tail
}

// AppendMaskedValue appends MaskValue(key, v) to dst, for a caller that
// builds the logged text in a buffer of its own.
func AppendMaskedValue(dst []byte, key, v string) []byte {
	masked, tail := fingerprint(key, v)
	if !masked {
		return append(dst, v...)
	}
	return append(append(dst, Masked...), tail...)
}

// fingerprint says whether the log masks the value v of parameter key, and
// what it keeps of it after Masked: a token's last six characters, when
// it has at least 16; nothing of a secret or a short token.
func fingerprint(key, v string) (masked bool, tail string) {
	switch sensitivity(key) {
	case secretParam:
		return true, ""
	case tokenParam:
		if len(v) < 16 {
			return true, ""
		}
		return true, v[len(v)-fingerprintLen:]
	}
	return false, ""
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
	if !needsMask(raw) {
		return raw
	}
	return string(appendMaskedRawQuery(make([]byte, 0, len(raw)+16), raw))
}

// needsMask reports whether raw has a sensitive parameter.
func needsMask(raw string) bool {
	found := false
	eachPair(raw, func(_, _ int, k, _ string) bool {
		found = sensitivity(k) != plainParam
		return !found
	})
	return found
}

// appendMaskedRawQuery appends raw with its sensitive values masked.
func appendMaskedRawQuery(dst []byte, raw string) []byte {
	last := 0 // raw[last:] is not in dst yet
	eachPair(raw, func(valueAt, end int, k, v string) bool {
		if sensitivity(k) != plainParam {
			dst = append(dst, raw[last:valueAt]...)
			dst = appendMasked(dst, k, unescape(v))
			last = end
		}
		return true
	})
	return append(dst, raw[last:]...)
}

// eachPair calls f with each key=value pair of raw: where its value
// starts and where the pair ends in raw, its key unescaped and its value
// as it came; until f returns false. Pairs without '=' are skipped.
func eachPair(raw string, f func(valueAt, end int, k, v string) bool) {
	for pos := 0; pos <= len(raw); {
		end := strings.IndexByte(raw[pos:], '&')
		if end < 0 {
			end = len(raw)
		} else {
			end += pos
		}
		pair := raw[pos:end]
		if eq := strings.IndexByte(pair, '='); eq >= 0 {
			if !f(pos+eq+1, end, unescape(pair[:eq]), pair[eq+1:]) {
				return
			}
		}
		pos = end + 1
	}
}

// maskedEscaped is Masked, query-escaped.
const maskedEscaped = "%2A%2A%2A"

// appendMasked appends MaskValue(k, v), query-escaped.
func appendMasked(dst []byte, k, v string) []byte {
	dst = append(dst, maskedEscaped...)
	if _, tail := fingerprint(k, v); tail != "" {
		dst = append(dst, url.QueryEscape(tail)...)
	}
	return dst
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

// queryCut returns how much of a raw query an excerpt of at most limit
// bytes keeps (whole parameters when it can, never half an escape), and
// whether that cuts it.
func queryCut[T string | []byte](raw T, limit int) (int, bool) {
	if len(raw) <= limit {
		return len(raw), false
	}
	cut := raw[:limit]
	if i := lastIndexByte(cut, '&'); i > 0 {
		return i, true
	}
	if i := lastIndexByte(cut, '%'); i >= 0 && i > len(cut)-3 {
		return i, true
	}
	return limit, true
}

func lastIndexByte[T string | []byte](s T, b byte) int {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i] == b {
			return i
		}
	}
	return -1
}

// excerptLen returns how many bytes of b an excerpt of at most limit
// bytes keeps, and whether that cuts it. A cut never splits a UTF-8
// character: it steps back (at most three bytes) to the character's start,
// so a body of Chinese text stays valid text for the console and the CLI
// to show.
func excerptLen(b []byte, limit int) (int, bool) {
	if len(b) <= limit {
		return len(b), false
	}
	cut := limit
	for cut > 0 && cut > limit-(utf8.UTFMax-1) && !utf8.RuneStart(b[cut]) {
		cut--
	}
	if !utf8.RuneStart(b[cut]) { // not UTF-8 text: cut at the limit
		cut = limit
	}
	return cut, true
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
