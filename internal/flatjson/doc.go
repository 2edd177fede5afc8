// Package flatjson reads the string members of a small JSON object without
// encoding/json's reflection: the envelope of an APIv3 callback and its
// decrypted complaint event, decoded on every callback a merchant
// receives. encoding/json makes an allocation per member and more; Decode
// makes one: every string it writes is a substring of one copy of the
// body.
//
// It decodes only what it is sure to decode exactly as encoding/json
// would, and says so: Decode reports false for anything else (an escape
// in a string it would keep, a member name encoding/json would match by
// its case-insensitive rule, a value of another type, a body that is not
// valid JSON), and the caller then decodes with encoding/json, which gives
// the same result or the error. FuzzDecode holds the two to the same
// answer on every input.
package flatjson
