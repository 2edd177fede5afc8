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
// ParseNotification accepts every shape WeChat was seen to send: values in
// CDATA or as plain text, elements in any order, white space and newlines
// around values (trimmed), unknown elements (ignored, whatever they hold),
// an XML declaration, a byte-order mark, CRLF line ends. It refuses
// everything else with a *DecodeError whose Err is one of the sentinel
// errors, to test with errors.Is:
//
//   - ErrMalformed: not well-formed XML, not UTF-8 (a declaration naming
//     another encoding included), a character XML forbids, elements nested
//     deeper than MaxDepth, more than MaxElements elements, text or a second element after the root;
//   - ErrNotXMLRoot: a root element other than <xml>;
//   - ErrDOCTYPE: a DOCTYPE or any other directive, which closes the door
//     to entity expansion ("billion laughs") and external entities;
//   - ErrMissingElement: AppId, TimeStamp, OpenId, MsgType, FeedBackId or
//     AppSignature absent or blank (TransId is optional in every MsgType);
//   - ErrBadTimestamp: TimeStamp not 1 to 32 decimal digits (the
//     document's "32 characters or less"; Unix saturates beyond int64);
//   - ErrUnknownMsgType: MsgType other than request, confirm or reject
//     (case matters);
//   - ErrConflictingElement: an element (or PicInfo) given twice with
//     different values; given twice with the same value, it is accepted;
//   - ErrTooLarge: a body over MaxNotificationSize (64 KiB, byte-order mark
//     included).
//
// Where the protocol is silent, the decoder decides as follows: pictures
// are kept beyond MaxPictures, up to 16 per PicInfo (the others are read
// and ignored), and empty PicUrl slots are dropped; attributes are refused
// (ErrMalformed) on the root and on WeChat's own elements, which never have
// any, and beyond 16 on elements the protocol does not define (ignored
// otherwise), before encoding/xml reads them; FeedBackId is kept as a string (real ids exceed int64); an
// empty SignMethod means sha1 and "SHA1" is accepted as sha1 by Verify;
// character references (&#13;) and the five predefined entities are
// decoded, other entities are malformed.
//
// A purpose-built scanner decodes the shapes WeChat sends in one pass over
// the body, with one allocation (the Notification, its pictures and the
// bytes of its values in one block) and more than ten times faster than encoding/xml; anything it does
// not recognise goes to a reference decoder built on encoding/xml, which
// decides every refusal. A differential fuzz test proves both decode the
// same: the scanner either declines a body or extracts exactly what the
// reference decoder extracts. ParseNotificationInto decodes in place, with
// no allocation: its values point into the body, so a receiver decoding
// from a pooled buffer uses them before it reuses the buffer, or keeps them:
// Own copies them out of the body in one allocation, Clone into a new
// Notification.
//
// # Encoding
//
// Notification.Encode writes what WeChat writes: root <xml>, one element a
// line, strings in CDATA, TimeStamp as plain digits, PicInfo last. A "]]>"
// inside a value is split across two CDATA sections and a CR is written as
// &#13;, so decoding an encoded notification gives it back (values trimmed).
//
// # Calling WeChat
//
// Client calls the WeChat API for one official account: UpdateFeedback
// marks a complaint handled, SendMessage sends a customer-service message
// (TextMessage, ImageMessage, VoiceMessage, VideoMessage, MusicMessage,
// NewsMessage, each validated before it is sent), DeliverNotify reports
// shipping and UploadMedia gets media ids. Its base URL is an option, never
// a package global, so tests point it at mockwechat. Tokens are cached,
// renewed ahead of expiry one refresh at a time, retried once on 40001 and
// 42001 with compare-and-refresh, and shared between instances through a
// TokenStore with a lease; see Client for the details. An answer with
// errcode ≠ 0 is an *APIError, classified by IsTokenError, IsLimitError and
// IsInvalidInput.
//
// # Deadlines
//
// ShippingDeadline, ResolutionDeadline, ShippingStateAt and ResolveBy are
// the deadlines of the protocol as pure functions of the goods kind and the
// shipping state.
//
// # Signatures
//
// The AppSignature covers only appid, appkey (the paySignKey), openid and
// timestamp. MsgType, FeedBackId and the other fields are not signed, so a
// receiver must also refuse a signature replayed with other fields: the
// middleware package does. Sign is the one implementation of the V2
// payment signature (also behind the deliver-notify app_signature);
// StringToSign shows what it hashes with the key masked. An empty key is
// refused (ErrEmptyKey): verification fails closed.
package payfeedback
