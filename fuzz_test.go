package payfeedback

import (
	"bytes"
	"errors"
	"os"
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
// as the reference path alone (same fields, or the same error).
func FuzzDecodeDifferential(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		body := bytes.TrimPrefix(data, utf8BOM)
		var fast rawNotification
		if scanNotification(string(body), &fast) {
			var ref rawNotification
			if err := decodeReference(body, &ref); err != nil {
				t.Fatalf("the scanner accepts what the reference decoder refuses (%v)", err)
			}
			if diff := cmp.Diff(toComparable(&ref), toComparable(&fast)); diff != "" {
				t.Fatalf("the scanner and the reference decoder differ (-reference +scanner):\n%s", diff)
			}
		}

		got, gotErr := ParseNotification(data)
		want, wantErr := parseNotification(data, false)
		switch {
		case gotErr != nil || wantErr != nil:
			if gotErr == nil || wantErr == nil || gotErr.Error() != wantErr.Error() {
				t.Fatalf("ParseNotification error %v, reference path error %v", gotErr, wantErr)
			}
			if sentinelName(gotErr) != sentinelName(wantErr) {
				t.Fatalf("error classes differ: %v vs %v", gotErr, wantErr)
			}
		default:
			if diff := cmp.Diff(want, got); diff != "" {
				t.Fatalf("ParseNotification and the reference path differ (-reference +ParseNotification):\n%s", diff)
			}
		}
	})
}
