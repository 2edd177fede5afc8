package api

import (
	"net/url"
	"testing"
)

// FuzzParam: param reads what url.Values.Get reads, for every query that
// url.ParseQuery accepts whole.
func FuzzParam(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "a=1&a=2", "a%3D=x&a=y", "secret=a+b%21", "a", "=&=", "%zz=1&b=2", "b=%zz&b=2"} {
		f.Add(s, "a")
		f.Add(s, "b")
	}
	f.Fuzz(func(t *testing.T, raw, key string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		if got, want := param(raw, key), q.Get(key); got != want {
			t.Fatalf("param(%q, %q) = %q, url.Values.Get = %q", raw, key, got, want)
		}
	})
}
