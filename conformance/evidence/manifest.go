package evidence

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// The manifest, SHA256SUMS, is in the format of coreutils' sha256sum, so
// that "sha256sum -c SHA256SUMS" checks a extracted bundle: one line per
// part, in the archive's order, the hex SHA-256 of its content, two
// spaces and its name. It covers every part but itself and its signature.

// manifestLine is a line of the manifest.
type manifestLine struct {
	sum  [sha256.Size]byte
	name string
}

// encodeManifest writes the manifest of parts.
func encodeManifest(parts []part) []byte {
	var b bytes.Buffer
	for _, p := range parts {
		sum := sha256.Sum256(p.data)
		b.WriteString(hex.EncodeToString(sum[:]))
		b.WriteString("  ")
		b.WriteString(p.name)
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// decodeManifest reads a manifest written by encodeManifest and nothing
// else: lower-case hex, two spaces, a valid name listed once, each line
// ending in a newline.
func decodeManifest(data []byte) ([]manifestLine, error) {
	var lines []manifestLine
	seen := make(map[string]bool)
	for n := 1; len(data) > 0; n++ {
		line, rest, ok := bytes.Cut(data, []byte("\n"))
		if !ok {
			return nil, fmt.Errorf("line %d does not end in a newline", n)
		}
		data = rest
		const hexLen = 2 * sha256.Size
		if len(line) < hexLen+3 || string(line[hexLen:hexLen+2]) != "  " {
			return nil, fmt.Errorf("line %d is not \"SHA-256  name\"", n)
		}
		var l manifestLine
		if _, err := hex.Decode(l.sum[:], line[:hexLen]); err != nil || hex.EncodeToString(l.sum[:]) != string(line[:hexLen]) {
			return nil, fmt.Errorf("line %d: the SHA-256 is not lower-case hex", n)
		}
		l.name = string(line[hexLen+2:])
		if err := checkName(l.name); err != nil {
			return nil, fmt.Errorf("line %d: %v", n, err)
		}
		if seen[l.name] {
			return nil, fmt.Errorf("line %d: %s is listed twice", n, l.name)
		}
		seen[l.name] = true
		lines = append(lines, l)
	}
	return lines, nil
}
