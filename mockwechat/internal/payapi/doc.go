// Package payapi serves the fake's Complaints 2.0 endpoints under /v3/ —
// the list, detail, negotiation history, reply, complete, refund decision
// and immediate-service reply of a complaint, the callback URL (POST, GET,
// PUT, DELETE), image upload and download, and GET /v3/certificates — as a
// thin HTTP adapter over payworld, with WeChat's checks and answers
// (docs/complaints-v3.md, docs/apiv3.md):
//
//   - every request's Accept and User-Agent (400 INVALID_REQUEST
//     "头部信息不完整"), then its Authorization: scheme, format, merchant,
//     certificate serial, the 5-minute window on the fake's clock, and the
//     signature over the raw request-target and the exact body (an upload's
//     meta). A signature that does not verify answers 401 SIGN_ERROR with
//     WeChat's reconstruction of the string it expected
//     (truncated_sign_message, sign_message_length), and the whole of it goes
//     to the Recorder beside the Authorization received;
//   - the per-minute limits WeChat publishes (429 FREQUENCY_LIMITED), on the
//     fake's clock;
//   - each endpoint's limits through the complaints package's Validate (400
//     PARAM_ERROR with detail {field, location} and a message in WeChat's
//     format), and the world's answers (NO_AUTH, RESOURCE_NOT_EXISTS, …);
//   - every answer signed, errors included, by the key the request's
//     Wechatpay-Serial asks for in the current mode (paykeys.Signing), with
//     a Request-ID; but an image download, which WeChat sends unsigned.
//
// The merchant's acts cause no callback; the changes they cause go to
// Options.Effects. Each call goes to Options.Recorder, for the fake's call
// log and console.
package payapi
