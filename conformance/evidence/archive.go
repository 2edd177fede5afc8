package evidence

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
)

// A bundle is a POSIX ustar archive that standard tools read (tar -xf),
// written in one canonical form: for each part a 512-byte header that
// depends only on the part's name, its size and the bundle's time, the
// content, zeros to the next 512-byte block; then two blocks of zeros.
// The reader accepts that form alone and compares every header with the
// one the writer would write, so that every byte of a bundle is either a
// part's content (covered by the signed manifest) or determined by the
// names, sizes and time the manifest and run.json sign: a change anywhere
// is refused.

const (
	blockSize = 512
	// maxName bounds a part's name: it fits the header's name field with
	// its terminating NUL, so no ustar prefix or PAX record is needed.
	maxName = 99
	// maxParts bounds the parts a reader accepts.
	maxParts = 100_000
)

// part is one file of the bundle.
type part struct {
	name string
	data []byte
}

// header returns the canonical ustar header of a part.
func header(name string, size int64, mtime int64) []byte {
	h := make([]byte, blockSize)
	copy(h[0:100], name)
	copy(h[100:108], "0000644\x00")    // mode
	copy(h[108:116], "0000000\x00")    // uid
	copy(h[116:124], "0000000\x00")    // gid
	copy(h[124:136], octal(size, 11))  // size
	copy(h[136:148], octal(mtime, 11)) // mtime
	copy(h[148:156], "        ")       // checksum, spaces while summing
	h[156] = '0'                       // typeflag: regular file
	copy(h[257:265], "ustar\x0000")    // magic, version
	copy(h[329:337], "0000000\x00")    // devmajor
	copy(h[337:345], "0000000\x00")    // devminor
	sum := 0
	for _, c := range h {
		sum += int(c)
	}
	copy(h[148:156], octal(int64(sum), 6)+" ")
	return h
}

// octal formats n in width octal digits followed by a NUL.
func octal(n int64, width int) string {
	s := strconv.FormatInt(n, 8)
	return strings.Repeat("0", max(width-len(s), 0)) + s + "\x00"
}

// padding is the number of zero bytes after n bytes of content.
func padding(n int64) int64 { return (blockSize - n%blockSize) % blockSize }

// encodeArchive writes the parts in order, each stamped mtime (seconds
// since the epoch).
func encodeArchive(parts []part, mtime int64) []byte {
	size := 2 * blockSize
	for _, p := range parts {
		size += blockSize + len(p.data) + int(padding(int64(len(p.data))))
	}
	out := make([]byte, 0, size)
	for _, p := range parts {
		out = append(out, header(p.name, int64(len(p.data)), mtime)...)
		out = append(out, p.data...)
		out = append(out, make([]byte, padding(int64(len(p.data))))...)
	}
	return append(out, make([]byte, 2*blockSize)...)
}

// decodeArchive reads a bundle's archive: its parts, in order, and their
// time. It refuses anything the writer would not have written
// (ErrMalformed when it is not an archive of the bundle's form at all,
// ErrModified when it is one with bytes changed).
func decodeArchive(data []byte) ([]part, int64, error) {
	var parts []part
	var mtime int64
	off := 0
	for {
		if len(data)-off < blockSize {
			if len(parts) == 0 {
				return nil, 0, fmt.Errorf("%w: %d bytes, too short for a tar archive", ErrMalformed, len(data))
			}
			return nil, 0, fmt.Errorf("%w: it ends at byte %d, inside a block: truncated", ErrModified, len(data))
		}
		h := data[off : off+blockSize]
		if allZero(h) {
			if rest := data[off:]; len(rest) != 2*blockSize || !allZero(rest) {
				return nil, 0, fmt.Errorf("%w: the end of the archive at byte %d is not two blocks of zeros and nothing else", ErrModified, off)
			}
			if len(parts) == 0 {
				return nil, 0, fmt.Errorf("%w: an empty tar archive", ErrMalformed)
			}
			return parts, mtime, nil
		}
		if len(parts) == maxParts {
			return nil, 0, fmt.Errorf("%w: more than %d parts", ErrMalformed, maxParts)
		}
		if !bytes.Equal(h[257:265], []byte("ustar\x0000")) {
			if len(parts) == 0 {
				return nil, 0, fmt.Errorf("%w: not a POSIX tar archive", ErrMalformed)
			}
			return nil, 0, fmt.Errorf("%w: the header at byte %d is not a POSIX tar header", ErrModified, off)
		}
		name, _, _ := strings.Cut(string(h[0:100]), "\x00")
		size, okSize := parseOctal(h[124:136])
		t, okTime := parseOctal(h[136:148])
		if !okSize || !okTime {
			return nil, 0, fmt.Errorf("%w: the header at byte %d has a malformed size or time", ErrModified, off)
		}
		if len(parts) == 0 {
			mtime = t
		}
		if err := checkName(name); err != nil {
			return nil, 0, fmt.Errorf("%w: the header at byte %d: %v", ErrModified, off, err)
		}
		if !bytes.Equal(h, header(name, size, mtime)) {
			return nil, 0, fmt.Errorf("%w: the header of %s (byte %d) is not the one the bundle's writer writes", ErrModified, name, off)
		}
		start := off + blockSize
		end := int64(start) + size
		next := end + padding(size)
		if next > int64(len(data)) {
			return nil, 0, fmt.Errorf("%w: %s is %d bytes, more than the bundle holds: truncated", ErrModified, name, size)
		}
		if !allZero(data[end:next]) {
			return nil, 0, fmt.Errorf("%w: the padding after %s (bytes %d to %d) is not zeros", ErrModified, name, end, next)
		}
		parts = append(parts, part{name: name, data: data[start:end]})
		off = int(next)
	}
}

// parseOctal reads a header's numeric field as the writer writes it:
// octal digits, then a NUL.
func parseOctal(field []byte) (int64, bool) {
	digits := field[:len(field)-1]
	if field[len(field)-1] != 0 {
		return 0, false
	}
	var n int64
	for _, c := range digits {
		if c < '0' || c > '7' {
			return 0, false
		}
		n = n<<3 | int64(c-'0')
	}
	return n, true
}

func allZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}

// checkName accepts the names a bundle's parts may have: relative paths
// of at most maxName bytes made of ASCII letters, digits, '.', '-' and
// '_' in segments separated by '/', none of them empty, "." or
// "..", so that extracting a bundle writes only below the directory it
// is extracted in.
func checkName(name string) error {
	if name == "" || len(name) > maxName {
		return fmt.Errorf("a part's name is empty or longer than %d bytes", maxName)
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == "" || seg == "." || seg == ".." {
			return fmt.Errorf("part name %q: an empty, \".\" or \"..\" path segment", name)
		}
		for i := 0; i < len(seg); i++ {
			if c := seg[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '.' || c == '-' || c == '_' || 'A' <= c && c <= 'Z') {
				return fmt.Errorf("part name %q: byte %q is not allowed", name, c)
			}
		}
	}
	return nil
}
