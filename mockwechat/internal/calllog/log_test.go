package calllog

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func call(endpoint string, q url.Values) Call {
	return Call{Endpoint: endpoint, Method: "GET", Query: q}
}

func TestLogBoundedByCount(t *testing.T) {
	l := New(Options{Size: 5})
	for i := range 8 {
		l.Add(call("/x", url.Values{"n": {string(rune('a' + i))}}), "")
	}
	calls, next := l.Since(0, 0)
	if len(calls) != 5 || calls[0].Seq != 4 || calls[4].Seq != 8 || calls[4].Query.Get("n") != "h" || next != 9 {
		t.Fatalf("bounded log: %d calls, first %d, next %d", len(calls), calls[0].Seq, next)
	}
	got, next := l.Since(7, 0)
	if len(got) != 2 || next != 9 {
		t.Fatalf("Since(7): %d calls, next %d", len(got), next)
	}
	page, next := l.Since(0, 2)
	if len(page) != 2 || page[0].Seq != 4 || next != 6 {
		t.Fatalf("Since(0, limit 2): %d calls from %d, next %d", len(page), page[0].Seq, next)
	}
	l.Clear()
	if calls, next := l.Since(0, 0); len(calls) != 0 || next != 9 || l.Bytes() != 0 {
		t.Fatalf("after Clear: %d calls, next %d, %d bytes", len(calls), next, l.Bytes())
	}
	l.Add(call("/y", nil), "")
	if calls, _ := l.Since(0, 0); len(calls) != 1 || calls[0].Seq != 9 {
		t.Fatalf("numbering after Clear: %+v", calls)
	}
}

// TestLogBoundedByBytes: calls with a 1 MiB query keep an excerpt, marked,
// and the log stays within its byte budget however many arrive.
func TestLogBoundedByBytes(t *testing.T) {
	const budget = 64 << 10
	l := New(Options{Bytes: budget, Excerpt: 1024})
	huge := strings.Repeat("a", 1<<20)
	for range 300 {
		l.Add(Call{Endpoint: "/cgi-bin/token", Body: []byte(huge), Answer: []byte(huge)}, "appid=wx&junk="+huge)
	}
	if b := l.Bytes(); b > budget {
		t.Fatalf("log holds %d bytes, budget %d", b, budget)
	}
	calls, _ := l.Since(0, 0)
	if len(calls) == 0 || len(calls) == 300 {
		t.Fatalf("%d calls kept: want the budget to bound them", len(calls))
	}
	c := calls[len(calls)-1]
	if !slices.Equal(c.Truncated, []string{"query", "body", "answer"}) || len(c.Body) != 1024 || len(c.Answer) != 1024 {
		t.Fatalf("excerpts: truncated %v, body %d, answer %d", c.Truncated, len(c.Body), len(c.Answer))
	}
	if n := len(c.Query.Get("appid")) + len(c.Query.Get("junk")) + len("appid") + len("junk"); n > 1024 || c.Query.Get("appid") != "wx" {
		t.Fatalf("query excerpt of %d bytes: %q", n, c.Query.Get("appid"))
	}
}

// TestLogCopies: what the log hands out is a deep copy, never the slice
// it keeps (which may be a shared answer of the caller).
func TestLogCopies(t *testing.T) {
	l := New(Options{})
	shared := []byte(`{"errcode":0,"errmsg":"ok"}`)
	l.Add(Call{Endpoint: "/x", Answer: shared, Body: []byte("body")}, "a=1")
	calls, _ := l.Since(0, 0)
	calls[0].Answer[0] = 'Z'
	calls[0].Body[0] = 'Z'
	calls[0].Query["a"][0] = "changed"
	calls[0].Query.Set("b", "added")
	again, _ := l.Since(0, 0)
	c := again[0]
	if string(c.Answer) != `{"errcode":0,"errmsg":"ok"}` || string(c.Body) != "body" || c.Query.Get("a") != "1" || c.Query.Has("b") ||
		string(shared) != `{"errcode":0,"errmsg":"ok"}` {
		t.Fatalf("the log's call changed through a copy: %+v", c)
	}
}

func TestMaskRawQuery(t *testing.T) {
	tok := "0123456789abcdef0123456789ABCDEF"
	for _, tt := range []struct{ raw, want string }{
		{"appid=wx1&openid=o1", "appid=wx1&openid=o1"},
		{"grant_type=client_credential&appid=wx1&secret=s3cr3t", "grant_type=client_credential&appid=wx1&secret=%2A%2A%2A"},
		{"access_token=" + tok + "&openid=o1", "access_token=%2A%2A%2AABCDEF&openid=o1"},
		{"%73ecret=x&AppSecret=y&a=%ZZ", "%73ecret=%2A%2A%2A&AppSecret=%2A%2A%2A&a=%ZZ"},
		{"secret", "secret"},
		{"", ""},
	} {
		if got := maskRawQuery(tt.raw); got != tt.want {
			t.Errorf("maskRawQuery(%q) = %q, want %q", tt.raw, got, tt.want)
		}
	}
	for _, tt := range []struct {
		raw   string
		limit int
		want  string
	}{
		{"a=1&b=2", 10, "a=1&b=2"},
		{"a=1&b=2222", 8, "a=1"},
		{"junk=aaa%41bbb", 9, "junk=aaa"},
	} {
		if got, cut := excerptRawQuery(tt.raw, tt.limit); got != tt.want || cut != (tt.raw != tt.want) {
			t.Errorf("excerptRawQuery(%q, %d) = %q %v, want %q", tt.raw, tt.limit, got, cut, tt.want)
		}
	}
}

func TestMaskValue(t *testing.T) {
	tok := "0123456789abcdef0123456789ABCDEF"
	for _, tt := range []struct{ key, v, want string }{
		{"secret", "s", Masked},
		{"appsecret", "s", Masked},
		{"AppSecret", "s", Masked},
		{"paysignkey", "k", Masked},
		{"appkey", "k", Masked},
		{"password", "p", Masked},
		{"access_token", tok, Masked + "ABCDEF"},
		{"refresh_token", "short", Masked},
		{"appid", "wx1", "wx1"},
		{"feedbackid", "123", "123"},
		{"openid", "o1", "o1"},
	} {
		if got := MaskValue(tt.key, tt.v); got != tt.want {
			t.Errorf("MaskValue(%q, %q) = %q, want %q", tt.key, tt.v, got, tt.want)
		}
	}
}

func TestCallJSON(t *testing.T) {
	c := Call{Seq: 3, Endpoint: "/x", Body: []byte(`{"a":1}`), Answer: []byte("ok"), Truncated: []string{"body"}}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"body":"{\"a\":1}"`) || !strings.Contains(string(b), `"answer":"ok"`) {
		t.Fatalf("JSON %s: want body and answer as text", b)
	}
	var back Call
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if string(back.Body) != `{"a":1}` || string(back.Answer) != "ok" || back.Seq != 3 || back.Truncated[0] != "body" {
		t.Fatalf("round trip: %+v", back)
	}
}

func TestTo(t *testing.T) {
	m := To("/u", "feedbackid", "1")
	if !m(Call{Endpoint: "/u", Query: url.Values{"feedbackid": {"1"}}}) || m(Call{Endpoint: "/u"}) || m(Call{Endpoint: "/v", Query: url.Values{"feedbackid": {"1"}}}) {
		t.Fatal("To matches wrongly")
	}
}

// TestExcerptKeepsWholeCharacters: a body cut to the excerpt size ends at
// a character, so Chinese text stays valid UTF-8 (it was cut mid-character
// before); bytes that are not UTF-8 are cut at the limit.
func TestExcerptKeepsWholeCharacters(t *testing.T) {
	body := []byte(`{"text":{"content":"` + strings.Repeat("退款", 100) + `"}}`)
	for limit := 30; limit < 40; limit++ {
		got, cut := excerpt(body, limit)
		if !cut || len(got) > limit || len(got) < limit-2 || !utf8.Valid(got) {
			t.Errorf("excerpt(%d) = %d bytes %q (cut %v), want at most %d bytes of whole characters", limit, len(got), got, cut, limit)
		}
	}
	bin := bytes.Repeat([]byte{0x80}, 50)
	if got, _ := excerpt(bin, 20); len(got) != 20 {
		t.Errorf("excerpt of non-UTF-8 bytes: %d bytes, want 20", len(got))
	}
}
