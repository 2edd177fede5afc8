package api

import (
	"net/url"
	"strings"
)

// param returns the first value of key in a raw query string, decoded, as
// url.Values.Get does, without building the map: the endpoints read three
// parameters, and the call log keeps the raw query.
func param(raw, key string) string {
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		k, v, _ := strings.Cut(pair, "=")
		if k != key {
			if !escaped(k) {
				continue
			}
			if uk, err := url.QueryUnescape(k); err != nil || uk != key {
				continue
			}
		}
		if !escaped(v) {
			return v
		}
		uv, err := url.QueryUnescape(v)
		if err != nil {
			continue // url.ParseQuery drops a pair it cannot decode
		}
		return uv
	}
	return ""
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
