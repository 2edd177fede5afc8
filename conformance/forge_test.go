package conformance

import (
	"bytes"
	"errors"
	"strings"
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
	n.Reason = "商品 <坏了> & ]]> 退货" // markup and a CDATA end survive every form
	forms := map[string][]byte{
		"cdata":       variant(n),
		"plain":       variant(n, asText()),
		"padded":      variant(n, padded()),
		"reordered":   variant(n, reordered("PicInfo", "SignMethod", "AppSignature", "ExtInfo", "Solution", "Reason", "TransId", "FeedBackId", "MsgType", "TimeStamp", "AppId", "OpenId")),
		"extra elem":  variant(n, withExtra()),
		"all at once": variant(n, reordered("PicInfo"), asText(), padded(), withExtra()),
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
		"doctype":   variant(n, asText(), withDoctype(billionLaughs()), withRaw("Reason", "&lol9;")),
		"xxe":       variant(n, asText(), withDoctype(externalEntity), withRaw("ExtInfo", "&xxe;")),
		"wrongroot": variant(n, rootNamed("notification")),
	}
	for name, want := range hostile {
		if _, err := payfeedback.ParseNotification(bodies[name]); !errors.Is(err, want) {
			t.Errorf("%s: ParseNotification error %v, want %v", name, err, want)
		}
	}
}

// TestVariantEdits pins what each edit does to the encoder's document.
func TestVariantEdits(t *testing.T) {
	f := &forge{appID: tAppID, key: tKey, openID: "o1", now: time.Now}
	n := f.next(payfeedback.MsgRequest)
	n.PicURLs = []string{"http://p/0"}
	plain := encode(n)
	if got := variant(n); !bytes.Equal(got, plain) {
		t.Errorf("variant without edits differs from the encoder's output:\n%s\n%s", got, plain)
	}
	tests := []struct {
		name      string
		edits     []edit
		has, hasn []string
		decodes   error // nil: decodes and verifies
	}{
		{"text", []edit{asText()}, []string{"<Reason>" + n.Reason + "</Reason>"}, []string{"CDATA"}, nil},
		{"without", []edit{without("ExtInfo", "Solution")}, nil, []string{"<ExtInfo>", "<Solution>"}, nil},
		{"reordered", []edit{reordered("SignMethod", "PicInfo")}, []string{"<xml><SignMethod>"}, nil, nil},
		{"duplicated", []edit{duplicated("FeedBackId", "42")}, []string{"</FeedBackId><FeedBackId><![CDATA[42]]></FeedBackId>"}, nil, payfeedback.ErrConflictingElement},
		{"value added", []edit{without("ExtInfo"), withValue("ExtInfo", "x")}, []string{"<ExtInfo><![CDATA[x]]></ExtInfo></xml>"}, nil, nil},
		{"raw", []edit{withRaw("Reason", "&amp;raw")}, []string{"<Reason>&amp;raw</Reason>"}, nil, nil},
		{"root", []edit{rootNamed("doc")}, []string{"<doc>", "</doc>"}, nil, payfeedback.ErrNotXMLRoot},
		{"doctype", []edit{withDoctype("DOCTYPE xml")}, []string{"<?xml version=\"1.0\"?>\n<!DOCTYPE xml>\n<xml>"}, nil, payfeedback.ErrDOCTYPE},
	}
	for _, tc := range tests {
		body := string(variant(n, tc.edits...))
		for _, s := range tc.has {
			if !strings.Contains(strings.ReplaceAll(body, "\n", ""), strings.ReplaceAll(s, "\n", "")) && !strings.Contains(body, s) {
				t.Errorf("%s: no %q in\n%s", tc.name, s, body)
			}
		}
		for _, s := range tc.hasn {
			if strings.Contains(body, s) {
				t.Errorf("%s: %q left in\n%s", tc.name, s, body)
			}
		}
		got, err := payfeedback.ParseNotification([]byte(body))
		if tc.decodes != nil {
			if !errors.Is(err, tc.decodes) {
				t.Errorf("%s: decode error %v, want %v", tc.name, err, tc.decodes)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: %v\n%s", tc.name, err, body)
		} else if err := got.Verify(tKey); err != nil {
			t.Errorf("%s: Verify: %v", tc.name, err)
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
