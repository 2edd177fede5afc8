package apiv3

import "strconv"

// AppendRequestMessage appends to b the string a merchant signs for a
// request (docs/apiv3.md, "The string to sign"): five lines, each ending in
// "\n", the last one too:
//
//	METHOD\nTARGET\nTIMESTAMP\nNONCE\nBODY\n
//
// target is the request-target exactly as sent: the path and, when there
// is a query, "?" and the query, percent-encoded as on the wire (what
// (*url.URL).RequestURI returns). body is the exact body bytes sent: empty
// for GET and for a DELETE without a body, the meta JSON for an image
// upload. A body that itself ends in "\n" (as json.Encoder writes it) is
// signed with that "\n" and then the line's own.
func AppendRequestMessage(b []byte, method, target string, timestamp int64, nonce string, body []byte) []byte {
	b = append(b, method...)
	b = append(b, '\n')
	b = append(b, target...)
	b = append(b, '\n')
	b = strconv.AppendInt(b, timestamp, 10)
	b = append(b, '\n')
	b = append(b, nonce...)
	b = append(b, '\n')
	b = append(b, body...)
	return append(b, '\n')
}

// RequestMessage returns the string a merchant signs for a request (see
// AppendRequestMessage).
func RequestMessage(method, target string, timestamp int64, nonce string, body []byte) []byte {
	return AppendRequestMessage(make([]byte, 0, len(method)+len(target)+len(nonce)+len(body)+16), method, target, timestamp, nonce, body)
}

// AppendAnswerMessage appends to b the string WeChat signs for an answer
// or a callback (docs/apiv3.md): three lines, each ending in "\n",
//
//	TIMESTAMP\nNONCE\nBODY\n
//
// with timestamp and nonce as the Wechatpay-Timestamp and Wechatpay-Nonce
// headers carry them and body the raw body bytes (empty for a 204).
func AppendAnswerMessage(b []byte, timestamp, nonce string, body []byte) []byte {
	b = append(b, timestamp...)
	b = append(b, '\n')
	b = append(b, nonce...)
	b = append(b, '\n')
	b = append(b, body...)
	return append(b, '\n')
}

// AnswerMessage returns the string WeChat signs for an answer or a
// callback (see AppendAnswerMessage).
func AnswerMessage(timestamp, nonce string, body []byte) []byte {
	return AppendAnswerMessage(make([]byte, 0, len(timestamp)+len(nonce)+len(body)+3), timestamp, nonce, body)
}
