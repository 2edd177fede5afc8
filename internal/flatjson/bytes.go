package flatjson

import "unsafe"

// unsafeBytes returns the bytes of s without copying them, for json.Valid,
// which only reads them.
func unsafeBytes(s string) []byte {
	return unsafe.Slice(unsafe.StringData(s), len(s))
}
