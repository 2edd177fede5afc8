package calllog

import (
	"runtime"
	"runtime/metrics"
	"testing"
	"time"
)

// sendCall is a call as the API handler records a custom/send: constant
// endpoint and method, the account's appid, a body read for it, the
// shared answer.
func sendCall(now time.Time) (Call, string) {
	body := []byte(`{"touser":"oLoadUser","msgtype":"text","text":{"content":"Hello from the merchant"}}`)
	return Call{Time: now, Endpoint: "/cgi-bin/message/custom/send", Method: "POST", AppID: benchAppID,
			Body: body, Answer: benchOK, Status: 200, Latency: 30 * time.Microsecond},
		"access_token=" + benchToken
}

var (
	benchAppID = string([]byte("wxload00000000000"))
	benchOK    = []byte(`{"errcode":0,"errmsg":"ok"}`)
	benchToken = "ACCESS_TOKEN_0123456789abcdef0123456789abcdef0123456789abcdef0123"
)

// BenchmarkAdd records custom/send calls into a full log (the default
// 10,000 calls), as the fake does under load.
func BenchmarkAdd(b *testing.B) {
	l := New(Options{})
	now := time.Now()
	for range DefaultSize {
		l.Add(sendCall(now))
	}
	b.ReportAllocs()
	for b.Loop() {
		l.Add(sendCall(now))
	}
}

// BenchmarkGC is one garbage collection with the log holding 10,000
// custom/send calls (the fake under load runs one every few thousand
// requests). Besides the time, it reports what the log adds to each
// collection's work, per call kept: the heap the collector must scan
// (scan-B/call) and the objects it must mark (objects/call), read from
// runtime/metrics after a collection with the log full and one with it
// empty; they do not depend on the machine's load.
func BenchmarkGC(b *testing.B) {
	const n = DefaultSize
	sample := []metrics.Sample{{Name: "/gc/scan/heap:bytes"}, {Name: "/gc/heap/objects:objects"}}
	read := func() (scan, objects float64) {
		runtime.GC()
		metrics.Read(sample)
		return float64(sample[0].Value.Uint64()), float64(sample[1].Value.Uint64())
	}
	scan0, obj0 := read()
	l := New(Options{})
	now := time.Now()
	for range n {
		l.Add(sendCall(now))
	}
	scan1, obj1 := read()
	for b.Loop() {
		runtime.GC()
	}
	runtime.KeepAlive(l)
	b.ReportMetric((scan1-scan0)/n, "scan-B/call")
	b.ReportMetric((obj1-obj0)/n, "objects/call")
}
