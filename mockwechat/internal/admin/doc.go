// Package admin is the fake's JSON admin API under /_mock/: a thin HTTP
// adapter over the Go API of mockwechat.Server (the Backend), for CI in
// any language. Its guard refuses what a web page could send (foreign
// Host, foreign Origin, non-JSON writes). Long listings are paged
// (?limit=, ?after= or ?since=) and written element by element.
package admin
