package payfeedback

import (
	"errors"
	"strconv"
	"strings"
	"testing"
)

// costHead is a notification's required elements, unsigned (decoding does
// not check the signature).
const costHead = `<AppId><![CDATA[wxf8b4f85f3a794e77]]></AppId><TimeStamp>1764201600</TimeStamp>` +
	`<OpenId><![CDATA[o1]]></OpenId><MsgType><![CDATA[request]]></MsgType><FeedBackId><![CDATA[1]]></FeedBackId>` +
	`<TransId><![CDATA[1]]></TransId><AppSignature><![CDATA[06ae8680d0c2eb69cbeba9beb1419dd777881875]]></AppSignature>`

// fill repeats unit to make a body of about 60 KB with what surrounds it.
func fill(unit string) string { return strings.Repeat(unit, (60000-len(costHead))/len(unit)) }

// TestAttributes: attributes are refused on the root and on WeChat's own
// elements, accepted on others up to 16, and the refusal comes before
// encoding/xml reads them; both decoders agree on every case.
func TestAttributes(t *testing.T) {
	pics := func(attr string) string {
		return `<PicInfo` + attr + `><item><PicUrl>http://x/1</PicUrl></item></PicInfo>`
	}
	tests := []struct {
		name    string
		body    string
		wantErr error  // nil: accepted
		detail  string // in the error's text
	}{
		{"none", `<xml>` + costHead + `</xml>`, nil, ""},
		{"on the root", `<xml a="1">` + costHead + `</xml>`, ErrMalformed, "<xml>: has attributes"},
		{"xmlns on the root", `<xml xmlns="urn:x">` + costHead + `</xml>`, ErrMalformed, "<xml>: has attributes"},
		{"on a field", `<xml>` + strings.Replace(costHead, `<OpenId>`, `<OpenId a='1'>`, 1) + `</xml>`, ErrMalformed, "<OpenId>: has attributes"},
		{"on an optional field", `<xml>` + costHead + `<Reason x="y">r</Reason></xml>`, ErrMalformed, "<Reason>: has attributes"},
		{"on PicInfo", `<xml>` + costHead + pics(` n="1"`) + `</xml>`, ErrMalformed, "<PicInfo>: has attributes"},
		{"on item", `<xml>` + costHead + `<PicInfo><item i="0"><PicUrl>http://x/1</PicUrl></item></PicInfo></xml>`, ErrMalformed, "<item>: has attributes"},
		{"on PicUrl", `<xml>` + costHead + `<PicInfo><item><PicUrl t="jpg">http://x/1</PicUrl></item></PicInfo></xml>`, ErrMalformed, "<PicUrl>: has attributes"},
		{"on a self-closing field after a self-closing element", `<xml>` + costHead + `<U/><SignMethod m="1"/></xml>`, ErrMalformed, "<SignMethod>: has attributes"},
		{"malformed attribute on the root", `<xml a>` + costHead + `</xml>`, ErrMalformed, "<xml>: has attributes"},
		{"on another root", `<doc a="1">` + costHead + `</doc>`, ErrNotXMLRoot, "<doc>"},
		{"after the root", `<xml>` + costHead + `</xml><xml a="1"/>`, ErrMalformed, "content after the root element"},
		{"on an unknown element", `<xml>` + costHead + `<Meta version="2"><Inner>1</Inner></Meta></xml>`, nil, ""},
		{"on an unknown element under PicInfo/item", `<xml>` + costHead + `<PicInfo><item><Thumb s="1">t</Thumb><PicUrl>http://x/1</PicUrl></item></PicInfo></xml>`, nil, ""},
		{"16 on an unknown element", `<xml>` + costHead + `<U` + strings.Repeat(` a="=>"`, 16) + `/></xml>`, nil, ""},
		{"17 on an unknown element", `<xml>` + costHead + `<U` + strings.Repeat(` a="1"`, 17) + `/></xml>`, ErrMalformed, "<U>: more than 16 attributes"},
		{"a 60 KB list on the root", `<xml ` + fill(`a="x" `) + `>` + costHead + `</xml>`, ErrMalformed, "<xml>: has attributes"},
		{"a 60 KB list on an unknown element", `<xml>` + costHead + `<U ` + fill(`a="&amp;" `) + `/></xml>`, ErrMalformed, "<U>: more than 16 attributes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkDifferential(t, []byte(tt.body))
			_, err := ParseNotification([]byte(tt.body))
			switch {
			case tt.wantErr == nil && err != nil:
				t.Fatalf("refused: %v", err)
			case tt.wantErr != nil && (!errors.Is(err, tt.wantErr) || !strings.Contains(err.Error(), tt.detail)):
				t.Fatalf("error %v, want %v with %q", err, tt.wantErr, tt.detail)
			}
		})
	}
}

// TestPicturesBeyondTheLimit: both decoders keep the first 16 pictures of a
// PicInfo and read past the others.
func TestPicturesBeyondTheLimit(t *testing.T) {
	var list strings.Builder
	for i := range 40 {
		list.WriteString(`<item><PicUrl>http://x/` + strconv.Itoa(i) + `</PicUrl></item>`)
	}
	for name, body := range map[string]string{
		"one PicInfo":                `<xml>` + costHead + `<PicInfo>` + list.String() + `</PicInfo></xml>`,
		"the same PicInfo twice":     `<xml>` + costHead + `<PicInfo>` + list.String() + `</PicInfo><PicInfo>` + list.String() + `</PicInfo></xml>`,
		"through the reference path": `<xml>` + costHead + `<Reason>&amp;</Reason><PicInfo>` + list.String() + `</PicInfo></xml>`,
	} {
		t.Run(name, func(t *testing.T) {
			checkDifferential(t, []byte(body))
			n, err := ParseNotification([]byte(body))
			if err != nil {
				t.Fatal(err)
			}
			if len(n.PicURLs) != maxScanPictures || n.PicURLs[15] != "http://x/15" {
				t.Fatalf("%d pictures (last %q), want the first %d", len(n.PicURLs), n.PicURLs[len(n.PicURLs)-1], maxScanPictures)
			}
		})
	}
}

// forgedBodies are 60 KB bodies an attacker can send without the key,
// beside a genuine 60 KB one: what the decoder does with them comes before
// the signature check.
func forgedBodies() map[string][]byte {
	return map[string][]byte{
		"genuine":                 []byte(`<xml>` + costHead + `<ExtInfo><![CDATA[` + fill("长") + `]]></ExtInfo></xml>`),
		"attributes-on-root":      []byte(`<xml ` + fill(`a="x" `) + `>` + costHead + `</xml>`),
		"attributes-on-unknown":   []byte(`<xml>` + costHead + `<U ` + fill(`a="&amp;" `) + `/></xml>`),
		"attributed-elements":     []byte(`<xml>` + costHead + fill(`<U a="1"/>`) + `</xml>`),
		"pictures":                []byte(`<xml>` + costHead + `<PicInfo>` + fill(`<item><PicUrl>http://x/</PicUrl></item>`) + `</PicInfo></xml>`),
		"pictures-reference-path": []byte(`<xml>` + costHead + `<Reason>&amp;</Reason><PicInfo>` + fill(`<item><PicUrl>http://x/</PicUrl></item>`) + `</PicInfo></xml>`),
	}
}

// TestForgedBodiesAllocateLittle holds the bound that no noise excuses:
// a forged body's attributes and pictures are not collected, and no body
// makes the reference decoder read more than MaxElements elements, so
// decoding a forged 60 KB body allocates no more than those elements cost
// (before the cap, thousands of tiny elements took 30,000 allocations and
// 4 to 14 ms).
func TestForgedBodiesAllocateLittle(t *testing.T) {
	bodies := forgedBodies()
	reference := float64(testing.AllocsPerRun(10, func() {
		_, _ = ParseNotification([]byte(`<xml>` + costHead + `<Reason>&amp;</Reason></xml>`))
	}))
	// encoding/xml allocates a few times per element it reads.
	elements := reference + 8*MaxElements
	tests := map[string]float64{
		"genuine":                 10,
		"attributes-on-root":      10,            // refused before encoding/xml reads anything
		"attributes-on-unknown":   reference + 5, // the elements before it, then refused
		"attributed-elements":     elements,      // refused at element 257
		"pictures":                elements,
		"pictures-reference-path": elements,
	}
	for name, limit := range tests {
		allocs := testing.AllocsPerRun(10, func() { _, _ = ParseNotification(bodies[name]) })
		if allocs > limit {
			t.Errorf("%s: %v allocations per decode, want at most %v", name, allocs, limit)
		}
	}
}

// TestElementLimit: MaxElements elements are accepted, one more is refused,
// by both decoders alike, on the fast path and on the reference path.
func TestElementLimit(t *testing.T) {
	// costHead has 7 elements; with the root, 8.
	unknown := func(n int) string { return strings.Repeat(`<U/>`, n) }
	for _, tt := range []struct {
		name    string
		body    string
		wantErr error
	}{
		{"exactly MaxElements", `<xml>` + costHead + unknown(MaxElements-8) + `</xml>`, nil},
		{"MaxElements+1", `<xml>` + costHead + unknown(MaxElements-7) + `</xml>`, ErrMalformed},
		{"MaxElements+1, reference path", `<xml>` + costHead + `<Reason>&amp;</Reason>` + unknown(MaxElements-8) + `</xml>`, ErrMalformed},
		{"MaxElements+1 in pictures", `<xml>` + costHead + `<PicInfo>` + strings.Repeat(`<item><PicUrl></PicUrl></item>`, (MaxElements-8)/2) + `</PicInfo></xml>`, ErrMalformed},
	} {
		t.Run(tt.name, func(t *testing.T) {
			checkDifferential(t, []byte(tt.body))
			_, err := ParseNotification([]byte(tt.body))
			if tt.wantErr == nil && err != nil || !errors.Is(err, tt.wantErr) {
				t.Fatalf("error %v, want %v", err, tt.wantErr)
			}
		})
	}
}

// BenchmarkForgedBodies compares the decoding of forged 60 KB bodies with a
// genuine one of the same size.
func BenchmarkForgedBodies(b *testing.B) {
	for name, body := range forgedBodies() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(body)))
			for b.Loop() {
				_, _ = ParseNotification(body)
			}
		})
	}
}
