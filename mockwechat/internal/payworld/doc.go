// Package payworld is the fake's Complaints 2.0 world: merchants (their API
// key for verifying requests and encrypting payer_phone, their APIv3 key,
// their callback URL), complaints with every field WeChat answers
// (complaints.Complaint), their negotiation history
// (complaints.NegotiationHistory), and uploaded images; the state machine
// of docs/complaints-v3.md ("States") with a Rules switch for each point
// WeChat leaves unstated (docs/complaints-v3.md, "The fake's decisions"); the user's and WeChat's acts
// (filing, continuing, messaging, asking the platform for help, the
// platform's answers, refunds) and the merchant's (reply, complete, refund
// decision, immediate-service reply) with WeChat's checks.
//
// It knows no HTTP, no signature and no clock but the function that tells
// the time. Every transition returns the Effects it causes as data: the
// callbacks WeChat would send (the merchant's own acts send none: "商户自己的
// 操作不再推送通知") and the changes to tell; the caller carries them out. A
// refusal the API answers is a *Refusal carrying WeChat's answer (status,
// code, message) and wrapping ErrNotFound, ErrNoAuth, ErrState or
// ErrInvalid for errors.Is.
//
// One mutex guards everything, taken with defer in every method; it is a
// leaf: nothing outside the world is called while it is held but the clock
// and the RSA encryption of payer_phone. Lookups are maps, and the list
// endpoint reads a per-merchant index sorted by filing time (binary search,
// then the page): no request scans the world. Snapshot returns the whole
// world as plain data, deep copied; Restore takes one back.
package payworld
