// Package admin is the fake's JSON admin API under /_mock/: a thin HTTP
// adapter over the Go API of mockwechat.Server (the Backend), for CI in
// any language. Its guard refuses what a web page could send (foreign
// Origin, non-JSON writes), behind the server's Host check on every path
// (package hostguard). Long listings are paged
// (?limit=, ?after= or ?since=) and written element by element.
package admin
