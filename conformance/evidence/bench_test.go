package evidence

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"strconv"
	"testing"

	"github.com/payfeedback/payfeedback/conformance"
)

// BenchmarkWrite and BenchmarkVerify bundle a run of every case that needs
// no API, with a chaos campaign of 1,000 complaints, against the
// middleware in-process: the bundle a CI gate writes after each run.
func BenchmarkWrite(b *testing.B) {
	o := options(benchReport(b))
	var out bytes.Buffer
	for b.Loop() {
		out.Reset()
		if _, err := Write(&out, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(out.Len()), "bundle-bytes")
}

func BenchmarkVerify(b *testing.B) {
	bundle := write(b, options(benchReport(b)))
	b.SetBytes(int64(len(bundle)))
	for b.Loop() {
		if _, err := Verify(bundle, publicOf(keyOf(1))); err != nil {
			b.Fatal(err)
		}
	}
}

func benchReport(b *testing.B) conformance.Report {
	b.Helper()
	rep, err := conformance.Run(context.Background(), conformance.Options{
		Handler: sound(), AppID: testAppID, PaySignKey: testKey, Run: "^(notify|security|delivery|chaos)/", Chaos: 1000, Seed: 4711,
	})
	if err != nil || rep.Failed() {
		b.Fatalf("%v: %s", err, rep.Summary())
	}
	return rep
}

// BenchmarkVerifyParts verifies bundles of 1,000 and 10,000 exchange
// files: the cost per part must stay flat (the reader is linear).
func BenchmarkVerifyParts(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		b.Run(strconv.Itoa(n), func(b *testing.B) {
			base := partsOf(b, smallBundle(b))
			covered := append([]part{}, base[2:]...)
			for i := range n {
				covered = append(covered, part{name: fmt.Sprintf("exchanges/x/%d.txt", i), data: []byte("> POST /payfeedback\n")})
			}
			manifest := encodeManifest(covered)
			parts := append([]part{{ManifestName, manifest}, {SignatureName, ed25519.Sign(keyOf(1), manifest)}}, covered...)
			rec, err := decodeRecord(findPart(base, RecordName))
			if err != nil {
				b.Fatal(err)
			}
			bundle := encodeArchive(parts, rec.Signed.Unix())
			b.ReportMetric(float64(len(bundle)), "bundle-bytes")
			b.ResetTimer()
			for b.Loop() {
				if _, err := Verify(bundle, nil); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/part")
		})
	}
}

func findPart(parts []part, name string) []byte {
	for _, p := range parts {
		if p.name == name {
			return p.data
		}
	}
	return nil
}
