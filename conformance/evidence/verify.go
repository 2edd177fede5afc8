package evidence

import (
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/payfeedback/payfeedback/conformance"
)

// Verify checks a bundle and returns what it certifies. It checks that
// the bytes are exactly the archive the writer writes for its parts; that
// the manifest's signature verifies with the bundle's key, and, when
// trusted is not nil, that this key is trusted; that the manifest lists
// every other part and nothing else, in the archive's order; that each
// part's SHA-256 is the one listed; and that run.json and report.json are
// what this format holds. Any change to any byte, any part added or
// removed fails with ErrModified; another key than trusted with
// ErrUntrusted; bytes that are no bundle of this format with
// ErrMalformed.
//
// Without trusted, a bundle proves only that it was not changed since it
// was signed, by whoever holds the key it carries: compare its
// fingerprint (Certificate.Key) with the one its signer published.
func Verify(bundle []byte, trusted ed25519.PublicKey) (Certificate, error) {
	if len(bundle) > MaxSize {
		return Certificate{}, fmt.Errorf("%w: %d bytes, more than a bundle may have (%d)", ErrMalformed, len(bundle), MaxSize)
	}
	parts, mtime, err := decodeArchive(bundle)
	if err != nil {
		return Certificate{}, err
	}
	if parts[0].name != ManifestName {
		return Certificate{}, fmt.Errorf("%w: its first file is %s, not the manifest %s", ErrMalformed, parts[0].name, ManifestName)
	}
	if len(parts) < 2 || parts[1].name != SignatureName {
		return Certificate{}, fmt.Errorf("%w: the manifest's signature %s is missing", ErrModified, SignatureName)
	}
	manifest, sig, covered := parts[0].data, parts[1].data, parts[2:]
	byName := make(map[string][]byte, len(covered))
	for _, p := range covered {
		byName[p.name] = p.data
	}

	keyPEM, ok := byName[KeyName]
	if !ok {
		return Certificate{}, fmt.Errorf("%w: the public key %s is missing", ErrModified, KeyName)
	}
	pub, err := ParsePublicKey(keyPEM)
	if err != nil {
		return Certificate{}, fmt.Errorf("%w: %s: %v", ErrModified, KeyName, err)
	}
	if len(sig) != ed25519.SignatureSize || !ed25519.Verify(pub, manifest, sig) {
		return Certificate{}, fmt.Errorf("%w: the signature of %s does not verify with the bundle's key (%s): the manifest, its signature or the key was changed", ErrModified, ManifestName, Fingerprint(pub))
	}
	lines, err := decodeManifest(manifest)
	if err != nil {
		return Certificate{}, fmt.Errorf("%w: %s, though signed: %v", ErrMalformed, ManifestName, err)
	}
	if err := coverage(lines, covered); err != nil {
		return Certificate{}, err
	}
	cert := Certificate{Parts: make([]Part, len(covered))}
	for i, p := range covered {
		sum := sha256.Sum256(p.data)
		if sum != lines[i].sum {
			return Certificate{}, fmt.Errorf("%w: %s: its SHA-256 is %x, the signed manifest says %x", ErrModified, p.name, sum, lines[i].sum)
		}
		cert.Parts[i] = Part{Name: p.name, Size: int64(len(p.data)), SHA256: hex.EncodeToString(sum[:])}
	}

	rec, err := decodeRecord(byName[RecordName])
	if err != nil {
		return Certificate{}, err
	}
	switch {
	case rec.Key.Fingerprint != Fingerprint(pub):
		return Certificate{}, fmt.Errorf("%w: %s names the key %s, but the bundle is signed by %s", ErrMalformed, RecordName, rec.Key.Fingerprint, Fingerprint(pub))
	case rec.Signed.Unix() != mtime:
		return Certificate{}, fmt.Errorf("%w: the archive's time (%d) is not the signing time in %s (%d)", ErrModified, mtime, RecordName, rec.Signed.Unix())
	case rec.ExpectFailFile != "" && byName[rec.ExpectFailFile] == nil:
		return Certificate{}, fmt.Errorf("%w: %s names the expected-failure file %s, which the bundle does not hold", ErrMalformed, RecordName, rec.ExpectFailFile)
	}
	reportJSON, ok := byName[ReportName]
	if !ok {
		return Certificate{}, fmt.Errorf("%w: it holds no %s", ErrMalformed, ReportName)
	}
	rep, err := conformance.ReadJSON(bytes.NewReader(reportJSON))
	if err != nil {
		return Certificate{}, fmt.Errorf("%w: %s: %v", ErrMalformed, ReportName, err)
	}
	if trusted != nil && !pub.Equal(trusted) {
		return Certificate{}, fmt.Errorf("%w: %s signed it, the key given is %s", ErrUntrusted, Fingerprint(pub), Fingerprint(trusted))
	}

	cert.Record, cert.Report = rec, rep
	cert.Target, cert.Selection = rep.Target, rep.Config.Run
	cert.Counts, cert.Failed, cert.Summary = rep.Counts(), rep.Failed(), rep.Summary()
	cert.Trusted = trusted != nil
	cert.Listed = make([]Listed, len(rec.ExpectFail))
	for i, id := range rec.ExpectFail {
		res, _ := rep.Result(id)
		cert.Listed[i] = Listed{ID: id, Status: res.Status}
	}
	return cert, nil
}

// coverage checks that the manifest lists the parts after the signature,
// each once, in their order, and nothing else.
func coverage(lines []manifestLine, covered []part) error {
	listed := make(map[string]bool, len(lines))
	for _, l := range lines {
		listed[l.name] = true
	}
	inBundle := make(map[string]int, len(covered))
	var added, removed []string
	for _, p := range covered {
		inBundle[p.name]++
		switch {
		case !listed[p.name]:
			added = append(added, p.name)
		case inBundle[p.name] == 2:
			added = append(added, p.name+" (a second time)")
		}
	}
	for _, l := range lines {
		if inBundle[l.name] == 0 {
			removed = append(removed, l.name)
		}
	}
	switch {
	case len(added) > 0 && len(removed) > 0:
		return fmt.Errorf("%w: parts added that the signed manifest does not list (%s), and parts it lists removed (%s)", ErrModified, strings.Join(added, ", "), strings.Join(removed, ", "))
	case len(added) > 0:
		return fmt.Errorf("%w: parts added that the signed manifest does not list: %s", ErrModified, strings.Join(added, ", "))
	case len(removed) > 0:
		return fmt.Errorf("%w: parts the signed manifest lists were removed: %s", ErrModified, strings.Join(removed, ", "))
	}
	for i, p := range covered {
		if p.name != lines[i].name {
			return fmt.Errorf("%w: the parts are not in the manifest's order (%s where %s was)", ErrModified, p.name, lines[i].name)
		}
	}
	names := make([]string, len(covered))
	for i, p := range covered {
		names[i] = p.name
	}
	slices.Sort(names)
	for i := 1; i < len(names); i++ {
		if strings.HasPrefix(names[i], names[i-1]+"/") {
			return fmt.Errorf("%w: %s is both a file and a directory", ErrMalformed, names[i-1])
		}
	}
	return nil
}

// decodeRecord reads run.json: this format's fields and no other.
func decodeRecord(data []byte) (Record, error) {
	if data == nil {
		return Record{}, fmt.Errorf("%w: it holds no %s", ErrMalformed, RecordName)
	}
	var rec Record
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rec); err != nil {
		var probe struct{ Format string }
		if json.Unmarshal(data, &probe) == nil && probe.Format != "" && probe.Format != Format {
			return Record{}, fmt.Errorf("%w: its format is %q, this kit reads %q: verify it with the kit that wrote it", ErrMalformed, probe.Format, Format)
		}
		return Record{}, fmt.Errorf("%w: %s: %v", ErrMalformed, RecordName, err)
	}
	if dec.More() {
		return Record{}, fmt.Errorf("%w: %s holds more than one JSON document", ErrMalformed, RecordName)
	}
	if rec.Format != Format {
		return Record{}, fmt.Errorf("%w: its format is %q, this kit reads %q: verify it with the kit that wrote it", ErrMalformed, rec.Format, Format)
	}
	return rec, nil
}
