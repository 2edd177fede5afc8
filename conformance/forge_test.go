package conformance

import (
	"errors"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
)

const (
	tAppID = "wxf8b4f85f3a794e77"
	tKey   = "L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K"
)

// TestForgeNeverRepeatsASignature: whatever the clock does between two
// notifications (stand still, move a second, jump), no two share a
// timestamp, hence a signature.
func TestForgeNeverRepeatsASignature(t *testing.T) {
	now := time.Unix(1764201600, 0)
	steps := []time.Duration{0, time.Second, 0, 500 * time.Millisecond, 500 * time.Millisecond, time.Second, 3 * time.Second, 0}
	i := 0
	f := &forge{appID: tAppID, key: tKey, openID: "o1", now: func() time.Time { return now }}
	seen := map[string]bool{}
	for range 200 {
		now = now.Add(steps[i%len(steps)])
		i++
		n := f.next(payfeedback.MsgRequest)
		if seen[n.AppSignature] {
			t.Fatalf("signature %s issued twice (TimeStamp %s)", n.AppSignature, n.TimeStamp)
		}
		seen[n.AppSignature] = true
		if n.Time().After(now) || !n.Time().Before(now) {
			t.Fatalf("TimeStamp %s not in the past of %s", n.TimeStamp, now)
		}
	}
}

// TestForgedFormsDecode: every form the notify cases send decodes to the
// same notification and verifies; every hostile form of the xml cases is
// refused by the root package's decoder with the expected error.
func TestForgedFormsDecode(t *testing.T) {
	f := &forge{appID: tAppID, key: tKey, openID: "oDF3iY9P32sK_5GgYiRkjsCo45bk", now: time.Now}
	n := f.next(payfeedback.MsgRequest)
	n.PicURLs = []string{"http://mmbiz.qpic.cn/a/0", "http://mmbiz.qpic.cn/a/1"}
	forms := map[string][]byte{
		"cdata":      encode(n),
		"plain":      render(n, style{plain: true}),
		"padded":     render(n, style{pad: true, raw: map[string]string{"TimeStamp": " " + n.TimeStamp}}),
		"reordered":  render(n, style{order: []string{"PicInfo", "SignMethod", "AppSignature", "ExtInfo", "Solution", "Reason", "TransId", "FeedBackId", "MsgType", "TimeStamp", "AppId", "OpenId"}}),
		"extra elem": render(n, style{extra: "<Meta v=\"1\"><X/></Meta>\n"}),
	}
	for name, body := range forms {
		got, err := payfeedback.ParseNotification(body)
		if err != nil {
			t.Errorf("%s: %v\n%s", name, err, body)
			continue
		}
		if err := got.Verify(tKey); err != nil {
			t.Errorf("%s: Verify: %v", name, err)
		}
		if got.FeedBackID != n.FeedBackID || len(got.PicURLs) != 2 || got.Reason != n.Reason {
			t.Errorf("%s: decoded %+v, want the forged fields", name, got)
		}
	}
	hostile := map[string]error{
		"doctype":   payfeedback.ErrDOCTYPE,
		"xxe":       payfeedback.ErrDOCTYPE,
		"wrongroot": payfeedback.ErrNotXMLRoot,
	}
	bodies := map[string][]byte{
		"doctype":   render(n, style{prolog: billionLaughs(), plain: true, raw: map[string]string{"Reason": "&lol9;"}}),
		"xxe":       render(n, style{prolog: "<!DOCTYPE xml [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]>\n", plain: true, raw: map[string]string{"ExtInfo": "&xxe;"}}),
		"wrongroot": render(n, style{root: "notification"}),
	}
	for name, want := range hostile {
		if _, err := payfeedback.ParseNotification(bodies[name]); !errors.Is(err, want) {
			t.Errorf("%s: ParseNotification error %v, want %v", name, err, want)
		}
	}
}

func TestBigBodyHasTheAnnouncedSize(t *testing.T) {
	b := &bigBody{prefix: []byte("<xml><ExtInfo><![CDATA["), suffix: []byte("]]></ExtInfo></xml>"), fill: 'A', size: 100_000}
	var n int64
	buf := make([]byte, 4096)
	r := b.reader()
	for {
		k, err := r.Read(buf)
		n += int64(k)
		if err != nil {
			break
		}
	}
	if n != b.size {
		t.Fatalf("body of %d bytes, want %d", n, b.size)
	}
}
