package payfeedback

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The fuzz targets of the decoder. Their seed corpus is every sample and
// every committed hostile input, plus the regression inputs the fuzzer found
// (testdata/fuzz/FuzzName/). Run each with
//
//	go test -run XXX -fuzz FuzzParseNotification -fuzztime 3m -parallel=1 .
//	go test -run XXX -fuzz FuzzDecodeDifferential -fuzztime 3m -parallel=1 .

// addCorpus seeds f with the samples and the hostile corpus.
func addCorpus(f *testing.F) {
	for _, dir := range []string{samplesDir, hostileDir} {
		for _, path := range testFiles(f, dir, ".xml") {
			body, err := os.ReadFile(path)
			if err != nil {
				f.Fatal(err)
			}
			f.Add(body)
		}
	}
}

// FuzzParseNotification: ParseNotification never panics; what it accepts
// holds every invariant and survives encode → decode unchanged; what it
// refuses it refuses with a *DecodeError of a known class.
func FuzzParseNotification(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		n, err := ParseNotification(data)
		if err != nil {
			checkRefusal(t, err)
			return
		}
		checkInvariants(t, n)
		enc, err := n.Encode()
		if err != nil {
			t.Fatalf("Encode of a decoded notification: %v", err)
		}
		back, err := ParseNotification(enc)
		if err != nil {
			t.Fatalf("decoding the encoded notification: %v\n%q", err, enc)
		}
		if diff := cmp.Diff(n, back); diff != "" {
			t.Fatalf("decode(encode(n)) != n (-n +decoded):\n%s\nencoded: %q", diff, enc)
		}
	})
}

func checkRefusal(t *testing.T, err error) {
	t.Helper()
	var de *DecodeError
	if !errors.As(err, &de) {
		t.Fatalf("error %T (%v) is not a *DecodeError", err, err)
	}
	if sentinelName(err) == "?" {
		t.Fatalf("error %v wraps no decoding sentinel", err)
	}
	if len(err.Error()) > 200 {
		t.Fatalf("error message of %d bytes", len(err.Error()))
	}
}

// scannedRaw returns what the scanner found as substrings of s, in the
// reference decoder's shape.
func scannedRaw(sc *scanned, s string) rawNotification {
	var r rawNotification
	for f, v := range sc.vals {
		r.vals[f] = v.in(s)
	}
	r.seen = sc.seen
	for _, p := range sc.pics[:sc.npics] {
		r.pics = append(r.pics, p.in(s))
	}
	r.picSeen = sc.picSeen
	return r
}

// comparableRaw is a rawNotification in a shape cmp can diff.
type comparableRaw struct {
	Vals    [numFields]string
	Seen    [numFields]bool
	Pics    []string
	PicSeen bool
}

func toComparable(r *rawNotification) comparableRaw {
	c := comparableRaw{Vals: r.vals, Seen: r.seen, PicSeen: r.picSeen}
	if len(r.pics) > 0 {
		c.Pics = r.pics
	}
	return c
}

// FuzzDecodeDifferential proves the fast scanner against the reference
// decoder: on every input the scanner either declines or extracts exactly
// what the reference decoder extracts, and ParseNotification decides exactly
// as the reference path alone (same fields, or the same error), and so does
// ParseNotificationInto.
func FuzzDecodeDifferential(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		checkDifferential(t, data)
	})
}

// checkDifferential is the property of FuzzDecodeDifferential.
func checkDifferential(t testing.TB, data []byte) {
	t.Helper()
	body := stripBOM(data)
	var sc scanned
	if s := string(body); scanNotification(s, &sc) {
		fast := scannedRaw(&sc, s)
		var ref rawNotification
		if err := decodeReference(body, &ref); err != nil {
			t.Fatalf("the scanner accepts what the reference decoder refuses (%v): %q", err, data)
		}
		if diff := cmp.Diff(toComparable(&ref), toComparable(&fast)); diff != "" {
			t.Fatalf("the scanner and the reference decoder differ (-reference +scanner):\n%s\ninput: %q", diff, data)
		}
	}

	got, gotErr := ParseNotification(data)
	want, wantErr := parseNotification(data, false)
	var into Notification
	intoErr := ParseNotificationInto(&into, data)
	switch {
	case (intoErr == nil) != (gotErr == nil) || intoErr != nil && intoErr.Error() != gotErr.Error():
		t.Fatalf("ParseNotificationInto error %v, ParseNotification error %v; input %q", intoErr, gotErr, data)
	case intoErr == nil:
		if diff := cmp.Diff(got, &into); diff != "" {
			t.Fatalf("ParseNotification and ParseNotificationInto differ (-ParseNotification +Into):\n%s\ninput: %q", diff, data)
		}
		if diff := cmp.Diff(got, into.Clone()); diff != "" {
			t.Fatalf("a Clone differs (-ParseNotification +Clone):\n%s\ninput: %q", diff, data)
		}
	}
	switch {
	case gotErr != nil || wantErr != nil:
		if gotErr == nil || wantErr == nil || gotErr.Error() != wantErr.Error() {
			t.Fatalf("ParseNotification error %v, reference path error %v; input %q", gotErr, wantErr, data)
		}
		if sentinelName(gotErr) != sentinelName(wantErr) {
			t.Fatalf("error classes differ: %v vs %v", gotErr, wantErr)
		}
	default:
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("ParseNotification and the reference path differ (-reference +ParseNotification):\n%s\ninput: %q", diff, data)
		}
	}
}

// TestScannerAlignments runs the differential check on every awkward
// character at every position of a value and of the space between elements,
// so each lands at every offset of the scanner's eight-byte words.
func TestScannerAlignments(t *testing.T) {
	awkward := []string{"&", "&amp;", "<", "]", "]]>", "]]", "\r", "\r\n", "\x00", "\x01", "\x1f", "\x7f",
		"\xff", "\xc3", "\xc3\x28", "\xed\xa0\x80", "\uFFFE", "\uFFFF", "\uFFFD", "é", "长", "😀", "\t", "\n", " ",
		"<!-- c -->", "<b/>", "&#13;", "<![CDATA[x]]>"}
	sample := string(readSample(t, "request_cdata_signed"))
	// Positions inside a CDATA value, a plain-text value, and between
	// elements.
	value := "明天六点前联系我 18610847266"
	plain := strings.Replace(sample, "<![CDATA["+value+"]]>", "0123456789abcdefghij", 1)
	at := strings.Index(sample, value)
	atPlain := strings.Index(plain, "0123456789abcdefghij")
	atSpace := strings.Index(sample, "</OpenId>") + len("</OpenId>")
	n := 0
	for _, a := range awkward {
		for k := 0; k <= 20; k++ {
			cdata := sample[:at+min(k, len(value))] + a + sample[at+min(k, len(value)):]
			text := plain[:atPlain+k] + a + plain[atPlain+k:]
			checkDifferential(t, []byte(cdata))
			checkDifferential(t, []byte(text))
			n += 2
		}
		checkDifferential(t, []byte(sample[:atSpace]+a+sample[atSpace:]))
		n++
	}
	if n < 1000 {
		t.Fatalf("only %d cases", n)
	}
}
