package calllog

// chunkSize is the size of the arena's chunks: a few hundred calls each.
const chunkSize = 64 << 10

// arena holds the calls' texts: chunks of bytes filled one after the other
// in the order the calls came, so that the oldest calls' texts lie in the
// first chunk, freed once no call kept uses it. A call's texts never span
// two chunks: one that would not fit in a chunk gets one of its own size.
type arena struct {
	chunks [][]byte // chunks[i] is chunk number first+i; the last is being filled
	first  uint32
	spare  []byte // a freed chunk, for the next one needed
}

// alloc returns room for n bytes: the chunk's number, the offset in it,
// and the bytes.
func (a *arena) alloc(n int) (chunk, off uint32, b []byte) {
	last := len(a.chunks) - 1
	if last < 0 || cap(a.chunks[last])-len(a.chunks[last]) < n {
		var c []byte
		if n <= chunkSize && a.spare != nil {
			c, a.spare = a.spare[:0], nil
		} else {
			c = make([]byte, 0, max(chunkSize, n))
		}
		a.chunks = append(a.chunks, c)
		last++
	}
	c := a.chunks[last]
	at := len(c)
	a.chunks[last] = c[:at+n]
	return a.first + uint32(last), uint32(at), c[at : at+n]
}

// bytes returns the n bytes at chunk, off.
func (a *arena) bytes(chunk, off uint32, n int) []byte {
	return a.chunks[chunk-a.first][off : int(off)+n]
}

// release frees the chunks before chunk number keep (never the one being
// filled).
func (a *arena) release(keep uint32) {
	for a.first != keep && len(a.chunks) > 1 {
		if cap(a.chunks[0]) == chunkSize {
			a.spare = a.chunks[0]
		}
		a.chunks[0] = nil
		a.chunks = a.chunks[1:]
		a.first++
	}
}

// reset frees every chunk but the one being filled, and empties that one:
// no call is kept.
func (a *arena) reset() {
	if len(a.chunks) == 0 {
		return
	}
	a.release(a.first + uint32(len(a.chunks)) - 1)
	a.chunks[0] = a.chunks[0][:0]
}
