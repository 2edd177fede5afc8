package calllog

import (
	"bytes"
	"reflect"
	"testing"
	"time"
)

// FuzzLogRoundTrip: whatever a call holds, the log gives back what it
// was given, but for the query (masked, cut) and the body and answer (cut
// to the excerpt, a prefix of what came); and the Entry that Add returns
// reads as the log does.
func FuzzLogRoundTrip(f *testing.F) {
	f.Add("/cgi-bin/token", "wx1", "a warning", []byte(`{"a":1}`), "access_token=0123456789abcdef0123456789ABCDEF&openid=o1", int64(1))
	f.Add("", "", "", []byte(nil), "", int64(0))
	f.Add("/x", "警告", "", bytes.Repeat([]byte("退款"), 40), "secret=a&junk=%ZZ&x", int64(-5))
	f.Fuzz(func(t *testing.T, endpoint, appID, warning string, body []byte, query string, ns int64) {
		l := New(Options{Size: 3, Excerpt: 64})
		in := Call{Time: time.Unix(0, ns).In(time.FixedZone("Z", 3600)), Endpoint: endpoint, Method: "POST", AppID: appID,
			Fault: warning, MchID: appID, Code: endpoint, Body: body, Answer: body, ErrCode: 7, Status: 200,
			Latency: time.Duration(ns), Warnings: []string{warning, endpoint}}
		var e Entry
		for range 5 { // past Size: the ring wraps, the arena frees
			e = l.Add(in, query)
		}
		calls, _ := l.Since(0, 0)
		if len(calls) != 3 {
			t.Fatalf("%d calls kept, want 3", len(calls))
		}
		got := calls[2]
		if !reflect.DeepEqual(e.Call(), got) {
			t.Fatalf("the Entry reads\n %+v\nthe log\n %+v", e.Call(), got)
		}
		if got.Seq != 5 || got.Endpoint != endpoint || got.AppID != appID || got.Fault != warning || got.MchID != appID ||
			got.Code != endpoint || got.Method != "POST" || got.ErrCode != 7 || got.Status != 200 || got.Latency != time.Duration(ns) ||
			!got.Time.Equal(in.Time) || got.Time.Location().String() != "Z" || !reflect.DeepEqual(got.Warnings, in.Warnings) {
			t.Fatalf("read back %+v\nfrom %+v", got, in)
		}
		if !bytes.HasPrefix(body, got.Body) || len(got.Body) > 64 || len(got.Body) < min(len(body), 61) || !bytes.Equal(got.Body, got.Answer) {
			t.Fatalf("body of %d bytes read back as %d: %q", len(body), len(got.Body), got.Body)
		}
	})
}
