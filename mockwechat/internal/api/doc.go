// Package api serves the WeChat API endpoints of the fake —
// /cgi-bin/token, /payfeedback/update, /cgi-bin/message/custom/send,
// /pay/delivernotify and /cgi-bin/media/upload — as a thin HTTP adapter
// over the world: it parses a call, asks the world (whose checks answer in
// the live API's order), hands the effects to the bus, answers with the
// live API's errcode and errmsg, records the call and tells the feed.
// Injected faults and the optional per-minute limit (45011) apply before
// the endpoint.
package api
