// Package mockwechat is a stateful fake of the WeChat APIs a merchant of
// the complaint (维权) system talks to, for tests and CI: access tokens,
// /payfeedback/update, customer-service messages, deliver notify and media
// upload, with the real error codes; a world of accounts, users, orders and
// complaints with the deadlines of the protocol; a clock it owns, real or
// virtual; signed pushes of complaint notifications to the merchant, with
// retries, a delivery log and fault injection; a bounded log of every API
// call; and a JSON admin API under /_mock/ to drive it all from any
// language.
//
// NewServer mirrors httptest.NewServer: a URL, a Client, and Close, which
// waits for in-flight work, pushes included. A *Server is also an
// http.Handler, to mount inside another server.
//
// The full list of defaults, error codes and admin endpoints is in
// README.md beside this file.
package mockwechat
