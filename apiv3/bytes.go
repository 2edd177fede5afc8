package apiv3

import "unsafe"

// bytesOf returns the bytes of s without copying them, for reading only:
// base64 decoding, hashing, GCM's nonce and additional data, all of which
// only read their input. Nothing may write through the result.
func bytesOf(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
