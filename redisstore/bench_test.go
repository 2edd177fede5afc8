package redisstore_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/redisstore"
)

// roundTrips is a go-redis hook counting round trips: each command, and
// each pipeline, is one.
type roundTrips struct{ n atomic.Int64 }

func (rt *roundTrips) DialHook(next redis.DialHook) redis.DialHook { return next }

func (rt *roundTrips) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		rt.n.Add(1)
		return next(ctx, cmd)
	}
}

func (rt *roundTrips) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return func(ctx context.Context, cmds []redis.Cmder) error {
		rt.n.Add(1)
		return next(ctx, cmds)
	}
}

// discard is the cheapest ResponseWriter.
type discard struct {
	h      http.Header
	status int
}

func (w *discard) Header() http.Header         { return w.h }
func (w *discard) WriteHeader(code int)        { w.status = code }
func (w *discard) Write(b []byte) (int, error) { return len(b), nil }

// benchBodies returns n notifications signed now, distinct by OpenId.
func benchBodies(b *testing.B, n int) [][]byte {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	bodies := make([][]byte, n)
	for i := range bodies {
		nt := &payfeedback.Notification{
			AppID: fleetAppID, TimeStamp: ts, OpenID: "oDF3iY9P32sK_5GgYiRk" + strconv.Itoa(i),
			MsgType: payfeedback.MsgRequest, FeedBackID: strconv.Itoa(5883726847655944563 + i),
			TransID: "1219419901201309253115768232", Reason: "商品质量有问题", Solution: "补发货给我",
			ExtInfo: "明天六点前联系我 18610847266",
			PicURLs: []string{"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0"},
		}
		if err := nt.Sign(fleetKey); err != nil {
			b.Fatal(err)
		}
		body, err := nt.Encode()
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = body
	}
	return bodies
}

// benchStores runs the benchmark's cases on the Redis store and, in the
// same run, on the in-memory store.
func benchStores(b *testing.B, run func(b *testing.B, store middleware.ReplayStore, trips *roundTrips)) {
	b.Run("redis", func(b *testing.B) {
		rdb := newRedis(b)
		trips := new(roundTrips)
		rdb.AddHook(trips)
		run(b, redisstore.NewReplayStore(rdb, redisstore.ReplayOptions{Prefix: freshPrefix(b, rdb)}), trips)
	})
	b.Run("memory", func(b *testing.B) {
		run(b, middleware.NewMemoryStore(middleware.MemoryOptions{MaxEntries: 1 << 22}), nil)
	})
}

// BenchmarkMiddlewareRedis is a notification through the middleware and a
// Dispatcher, in-process, with the replay store on Redis over loopback (and
// in memory, for comparison): new (claim, dispatch, complete: every
// notification a new one) and duplicate (the same again: acknowledged).
// roundtrips/op counts the Redis round trips per notification.
func BenchmarkMiddlewareRedis(b *testing.B) {
	d := middleware.Dispatcher{OnRequest: func(context.Context, *payfeedback.Notification) error { return nil }}
	serve := func(b *testing.B, store middleware.ReplayStore, trips *roundTrips, first int, bodies func(i int) []byte) {
		h := middleware.New(middleware.Config{Keys: middleware.StaticKeys{fleetAppID: fleetKey}, Replay: store})(d)
		w := &discard{h: make(http.Header)}
		rd := bytes.NewReader(nil)
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Body = io.NopCloser(rd)
		one := func(i int) {
			body := bodies(i)
			rd.Reset(body)
			r.ContentLength = int64(len(body))
			clear(w.h)
			w.status = 0
			h.ServeHTTP(w, r)
			if w.status != http.StatusOK {
				b.Fatalf("status %d", w.status)
			}
		}
		for i := range first { // untimed: what the case needs first
			one(i)
		}
		var before int64
		if trips != nil {
			before = trips.n.Load()
		}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			one(i)
		}
		b.StopTimer()
		if trips != nil {
			b.ReportMetric(float64(trips.n.Load()-before)/float64(b.N), "roundtrips/op")
		}
	}
	b.Run("new", func(b *testing.B) {
		benchStores(b, func(b *testing.B, store middleware.ReplayStore, trips *roundTrips) {
			bodies := benchBodies(b, b.N)
			serve(b, store, trips, 0, func(i int) []byte { return bodies[i] })
		})
	})
	b.Run("duplicate", func(b *testing.B) {
		benchStores(b, func(b *testing.B, store middleware.ReplayStore, trips *roundTrips) {
			body := benchBodies(b, 1)[0]
			serve(b, store, trips, 1, func(int) []byte { return body }) // handled once, then duplicates
		})
	})
}
