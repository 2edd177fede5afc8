// Package payfeedback is the vocabulary of WeChat Pay's complaint (维权)
// protocol: the XML notification WeChat pushes to a merchant's
// payfeedback_url, its AppSignature, the error codes of the WeChat API and the
// deadlines a merchant must meet.
//
// Everything else in the kit builds on it: the middleware package receives
// and verifies notifications, the mockwechat package plays WeChat in tests,
// and the conformance package certifies a merchant's endpoint.
//
// # Decoding
//
// ParseNotification accepts every shape WeChat was seen to send (CDATA or
// plain text, any element order, whitespace around values, unknown elements,
// an XML declaration, a byte-order mark) and refuses everything else with a
// *DecodeError whose Err is one of the sentinel errors (ErrMalformed,
// ErrDOCTYPE, ErrMissingElement, …). A purpose-built scanner decodes the
// common shape without allocating per field; anything it does not recognise
// goes to a reference decoder built on encoding/xml, and a differential fuzz
// test proves both decode the same.
//
// # Signatures
//
// The AppSignature covers only appid, appkey (the paySignKey), openid and
// timestamp. MsgType, FeedBackId and the other fields are not signed, so a
// receiver must also refuse a signature replayed with other fields: the
// middleware package does.
package payfeedback
