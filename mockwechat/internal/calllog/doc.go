// Package calllog is the fake's log of API calls: a ring bounded in count
// and in bytes, each call's query, body and answer kept as an excerpt
// (marked in Call.Truncated when cut), secrets and keys masked and tokens
// shortened to a fingerprint whatever the path, and every call handed out a
// deep copy.
//
// Its mutex is a leaf: the log calls nothing while holding it.
package calllog
