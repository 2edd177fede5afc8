package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"
)

// FuzzVerify feeds Verify any bytes, starting from a bundle and its
// pieces. It must not panic, every error must be one of the package's,
// and what it accepts must be exactly the archive the writer writes for
// the parts it read, each part hashed as the manifest says.
func FuzzVerify(f *testing.F) {
	bundle := smallBundle(f)
	f.Add(bundle)
	f.Add(bundle[:blockSize])
	f.Add(bundle[:len(bundle)-blockSize])
	f.Add([]byte{})
	f.Add(make([]byte, 2*blockSize))
	parts := partsOf(f, bundle)
	f.Add(encodeArchive(parts[:3], 0))
	f.Add(encodeArchive([]part{{ManifestName, encodeManifest(parts[2:4])}, parts[1], parts[2], parts[3]}, 1))
	f.Fuzz(func(t *testing.T, data []byte) {
		cert, err := Verify(data, nil)
		if err != nil {
			if !errors.Is(err, ErrModified) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("an error of no kind: %v", err)
			}
			return
		}
		parts, mtime, err := decodeArchive(data)
		if err != nil {
			t.Fatalf("verified, but the archive does not decode: %v", err)
		}
		if !bytes.Equal(encodeArchive(parts, mtime), data) {
			t.Fatal("verified bytes that are not the writer's archive of their parts")
		}
		if len(cert.Parts) != len(parts)-2 {
			t.Fatalf("%d parts certified of %d", len(cert.Parts), len(parts))
		}
		for i, p := range cert.Parts {
			sum := sha256.Sum256(parts[i+2].data)
			if p.Name != parts[i+2].name || p.Size != int64(len(parts[i+2].data)) || p.SHA256 != hex.EncodeToString(sum[:]) {
				t.Fatalf("part %d certified as %+v", i, p)
			}
		}
	})
}

// FuzzVerifySigned fuzzes what lies behind the signature: run.json and
// report.json, signed as they are, so that the fuzzer reaches their
// readers. Verify must not panic, and must refuse with one of its errors
// or certify what the parts say.
func FuzzVerifySigned(f *testing.F) {
	parts := partsOf(f, smallBundle(f))
	f.Add(findPart(parts, RecordName), findPart(parts, ReportName), int64(signedAt.Unix()))
	f.Add([]byte(`{"format":"payfeedback-evidence/2"}`), []byte(`{}`), int64(0))
	f.Add([]byte(`{"format":"payfeedback-evidence/1","key":{"fingerprint":"x"}}`), []byte(`null`), int64(0))
	f.Fuzz(func(t *testing.T, record, report []byte, mtime int64) {
		if mtime < 0 || mtime >= 1<<33 {
			return
		}
		key := keyOf(1)
		keyPEM, _ := MarshalPublicKey(publicOf(key))
		covered := []part{{KeyName, keyPEM}, {RecordName, record}, {ReportName, report}}
		manifest := encodeManifest(covered)
		bundle := encodeArchive(append([]part{{ManifestName, manifest}, {SignatureName, ed25519.Sign(key, manifest)}}, covered...), mtime)
		cert, err := Verify(bundle, publicOf(key))
		if err != nil {
			if !errors.Is(err, ErrModified) && !errors.Is(err, ErrMalformed) {
				t.Fatalf("an error of no kind: %v", err)
			}
			return
		}
		if cert.Format != Format || cert.Signed.Unix() != mtime || cert.Key.Fingerprint != Fingerprint(publicOf(key)) || !cert.Trusted {
			t.Fatalf("certified %+v", cert.Record)
		}
	})
}

// FuzzDecodeManifest: the manifest reader accepts only what the writer
// writes.
func FuzzDecodeManifest(f *testing.F) {
	f.Add(encodeManifest([]part{{"run.json", []byte("{}")}, {"exchanges/a.txt", nil}}))
	f.Add([]byte("00  a\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := decodeManifest(data)
		if err != nil {
			return
		}
		var b bytes.Buffer
		for _, l := range lines {
			b.WriteString(hex.EncodeToString(l.sum[:]) + "  " + l.name + "\n")
		}
		if !bytes.Equal(b.Bytes(), data) {
			t.Fatalf("accepted %q, which the writer writes as %q", data, b.Bytes())
		}
	})
}
