package calllog

import (
	"bytes"
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
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
		if n, cut := queryCut(tt.raw, tt.limit); tt.raw[:n] != tt.want || cut != (tt.raw != tt.want) {
			t.Errorf("queryCut(%q, %d) = %q %v, want %q", tt.raw, tt.limit, tt.raw[:n], cut, tt.want)
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
		if got := AppendMaskedValue([]byte("x="), tt.key, tt.v); string(got) != "x="+tt.want {
			t.Errorf("AppendMaskedValue(\"x=\", %q, %q) = %q, want %q", tt.key, tt.v, got, "x="+tt.want)
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
		n, cut := excerptLen(body, limit)
		got := body[:n]
		if !cut || len(got) > limit || len(got) < limit-2 || !utf8.Valid(got) {
			t.Errorf("excerptLen(%d) = %d bytes %q (cut %v), want at most %d bytes of whole characters", limit, len(got), got, cut, limit)
		}
	}
	bin := bytes.Repeat([]byte{0x80}, 50)
	if n, _ := excerptLen(bin, 20); n != 20 {
		t.Errorf("excerpt of non-UTF-8 bytes: %d bytes, want 20", n)
	}
}

// TestLogKeepsEveryField: a call read back has every field it was added
// with (the query masked, excerpts cut), whether read from the log or
// from the Entry that Add returns; the time keeps its instant and zone.
func TestLogKeepsEveryField(t *testing.T) {
	shanghai := time.FixedZone("CST", 8*3600)
	long := strings.Repeat("警", 200) // 600 bytes, cut at 100
	in := []Call{
		{Time: time.Date(2026, 12, 7, 18, 30, 1, 123456789, shanghai), Endpoint: "/cgi-bin/message/custom/send", Method: "POST",
			AppID: "wx1", Body: []byte(`{"touser":"o1"}`), ErrCode: 45015, Answer: []byte(`{"errcode":45015}`), Status: 200,
			Fault: "errcode 45015 x1", Latency: 1234 * time.Microsecond},
		{Time: time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC), Endpoint: "/v3/merchant-service/complaints-v2", Method: "GET",
			MchID: "1900000001", Code: "SIGN_ERROR", ErrCode: -1, Status: 401, Body: []byte(long), Answer: []byte(long),
			Warnings: []string{"", "a plain http callback URL", long}},
		{Endpoint: "/x", Method: "DELETE", Status: 0, ErrCode: -1}, // a zero time, a dropped connection
	}
	queries := []string{"access_token=0123456789abcdef0123456789ABCDEF&openid=o1", "limit=10&offset=0&" + strings.Repeat("junk=aaaa&", 20), ""}
	l := New(Options{Excerpt: 100})
	var entries []Entry
	for i, c := range in {
		entries = append(entries, l.Add(c, queries[i]))
	}
	calls, _ := l.Since(0, 0)
	if len(calls) != len(in) {
		t.Fatalf("%d calls, want %d", len(calls), len(in))
	}
	for i, c := range calls {
		want := in[i]
		want.Seq = uint64(i + 1)
		switch i {
		case 0:
			want.Query = url.Values{"access_token": {"***ABCDEF"}, "openid": {"o1"}}
		case 1:
			want.Body, want.Answer = []byte(long[:99]), []byte(long[:99]) // whole characters
			want.Truncated = []string{"query", "body", "answer"}
			want.Query = url.Values{"limit": {"10"}, "offset": {"0"}, "junk": slices.Repeat([]string{"aaaa"}, 8)}
		}
		if !reflect.DeepEqual(c, want) {
			t.Errorf("call %d read back\n %+v\nwant\n %+v", i, c, want)
		}
		if !c.Time.Equal(want.Time) || c.Time.Location().String() != want.Time.Location().String() {
			t.Errorf("call %d: time %v, want %v", i, c.Time, want.Time)
		}
		if e := entries[i].Call(); !reflect.DeepEqual(e, c) {
			t.Errorf("call %d: the Entry gives\n %+v\nthe log\n %+v", i, e, c)
		}
	}
	if got := l.Latest(Filter{Endpoint: in[1].Endpoint, Param: "offset", Value: "0"}, 0); len(got) != 1 || got[0].Seq != 2 {
		t.Errorf("Latest by endpoint and param: %+v", got)
	}
	if got := l.Latest(Filter{AppID: "wx1"}, 0); len(got) != 1 || got[0].Seq != 1 {
		t.Errorf("Latest by appid: %+v", got)
	}
	if st := l.Stats(nil); st[-1] != 2 || st[45015] != 1 {
		t.Errorf("Stats: %v", st)
	}
}

// TestLogZones: calls in more zones than a record can name keep their
// instant, in UTC.
func TestLogZones(t *testing.T) {
	l := New(Options{})
	at := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	for i := range maxLocs + 10 {
		l.Add(Call{Time: at.In(time.FixedZone("Z"+strconv.Itoa(i), i*60))}, "")
	}
	calls, _ := l.Since(0, 0)
	for i, c := range calls {
		name := c.Time.Location().String()
		if !c.Time.Equal(at) || i < maxLocs-1 && name != "Z"+strconv.Itoa(i) || i >= maxLocs-1 && name != "UTC" {
			t.Errorf("call %d: %v in %s", i, c.Time, name)
		}
	}
}

// TestLogFreesChunks: the chunks of texts are freed with the calls that
// use them, whatever the calls' sizes (some larger than a chunk), and the
// texts read back are the calls' own.
func TestLogFreesChunks(t *testing.T) {
	l := New(Options{Size: 100, Excerpt: 2 * chunkSize})
	for i := range 5000 {
		body := bytes.Repeat([]byte{byte('a' + i%26)}, 1+i%300)
		if i%500 == 0 {
			body = bytes.Repeat([]byte{'Z'}, chunkSize+i) // a chunk of its own
		}
		l.Add(Call{Endpoint: "/e" + strconv.Itoa(i), Body: body}, "n="+strconv.Itoa(i))
	}
	calls, _ := l.Since(0, 0)
	if len(calls) != 100 {
		t.Fatalf("%d calls kept, want 100", len(calls))
	}
	for _, c := range calls {
		i := int(c.Seq) - 1
		if c.Endpoint != "/e"+strconv.Itoa(i) || c.Query.Get("n") != strconv.Itoa(i) || len(c.Body) != 1+i%300 || c.Body[0] != byte('a'+i%26) {
			t.Fatalf("call %d: endpoint %q, query %v, body of %d bytes", c.Seq, c.Endpoint, c.Query, len(c.Body))
		}
	}
	// 100 calls of at most 300 bytes of body fit in one chunk; the one
	// being filled may have just begun.
	if n := len(l.texts.chunks); n > 2 {
		t.Errorf("%d chunks held for 100 small calls", n)
	}
	l.Clear()
	if n, used := len(l.texts.chunks), len(l.texts.chunks[0]); n != 1 || used != 0 {
		t.Errorf("after Clear: %d chunks, %d bytes used", n, used)
	}
}

// TestRecordHoldsNoPointer: the ring's records hold no pointer, so the
// garbage collector does not scan the log (BenchmarkGC measures it).
func TestRecordHoldsNoPointer(t *testing.T) {
	var check func(reflect.Type, string)
	check = func(typ reflect.Type, path string) {
		switch typ.Kind() {
		case reflect.Struct:
			for i := range typ.NumField() {
				check(typ.Field(i).Type, path+"."+typ.Field(i).Name)
			}
		case reflect.Array:
			check(typ.Elem(), path+"[]")
		case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
		default:
			t.Errorf("record%s is a %s: the GC would scan every record", path, typ.Kind())
		}
	}
	check(reflect.TypeFor[record](), "")
}
