package callback

import (
	"context"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/redisstore"
	"github.com/redis/go-redis/v9"
)

// A retry keeps the notification id but is signed (and encrypted) anew: it
// is acknowledged without running the handler again, for as long as Keep.
func TestRetryOfAHandledCallback(t *testing.T) {
	for _, store := range stores(t) {
		t.Run(store.name, func(t *testing.T) {
			wc := newWeChat(t)
			now := int64(testNow)
			rc := &recorder{}
			h := newMiddleware(t, rc, func(c *Config) {
				c.Replay = store.store
				c.Now = func() time.Time { return time.Unix(now, 0) }
				c.Opener = newOpener(t, c.Now)
			})
			cb := complaintCallback("EV-retry-"+store.name, "CREATE_COMPLAINT")
			for i, step := range []int64{0, 5, 60, 3600, 6 * 24 * 3600} { // WeChat's retries: seconds, a minute, an hour, days later
				now = testNow + step
				wc.now = now
				rec := serve(h, wc.request(cb))
				if rec.Code != http.StatusNoContent {
					t.Fatalf("copy %d (+%ds): status %d %s", i, step, rec.Code, rec.Body)
				}
			}
			if len(rc.events) != 1 {
				t.Fatalf("the handler ran %d times, want once", len(rc.events))
			}
			// Another event under the same id is a new event, not a replay.
			other := cb
			other.plaintext = `{"complaint_id":"200201820200101080076610000","action_type":"USER_RESPONSE"}`
			if rec := serve(h, wc.request(other)); rec.Code != http.StatusNoContent || len(rc.events) != 2 {
				t.Fatalf("another event under the same id: status %d, %d events", rec.Code, len(rc.events))
			}
			// The misspelling is the same action as the right spelling.
			one := complaintCallback("EV-spelling-"+store.name, "USER_APPLY_PLATFORM_SERVICE")
			two := complaintCallback("EV-spelling-"+store.name, "USER_APPLY_PLATFORM_SERIVCE")
			serve(h, wc.request(one))
			serve(h, wc.request(two))
			if len(rc.events) != 3 {
				t.Fatalf("both spellings: %d events, want one more", len(rc.events))
			}
		})
	}
}

// A handler that fails leaves the callback unhandled: WeChat's retry runs
// it again.
func TestHandlerFailureIsRetried(t *testing.T) {
	wc := newWeChat(t)
	rc := &recorder{status: http.StatusInternalServerError}
	h := newMiddleware(t, rc, nil)
	cb := complaintCallback("EV-fail", "CREATE_COMPLAINT")
	if rec := serve(h, wc.request(cb)); rec.Code != 500 {
		t.Fatalf("status %d", rec.Code)
	}
	rc.status = 0
	if rec := serve(h, wc.request(cb)); rec.Code != http.StatusNoContent || len(rc.events) != 2 {
		t.Fatalf("retry: status %d, %d runs", rec.Code, len(rc.events))
	}
	if rec := serve(h, wc.request(cb)); rec.Code != http.StatusNoContent || len(rc.events) != 2 {
		t.Fatalf("after success: status %d, %d runs", rec.Code, len(rc.events))
	}
}

// Copies arriving together run the handler once: the others wait for it
// and are acknowledged, or answered 503 when it outlasts InFlightWait.
func TestConcurrentCopies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		wc := newWeChat(t)
		var runs atomic.Int32
		release := make(chan struct{})
		slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			runs.Add(1)
			<-release
			w.WriteHeader(http.StatusNoContent)
		})
		h := newMiddleware(t, slow, nil)
		cb := complaintCallback("EV-concurrent", "CREATE_COMPLAINT")
		reqs := make([]*http.Request, 8)
		for i := range reqs {
			reqs[i] = wc.request(cb) // each copy signed and encrypted anew
		}
		codes := make([]int, len(reqs))
		var wg sync.WaitGroup
		for i, r := range reqs {
			wg.Go(func() { codes[i] = serve(h, r).Code })
		}
		synctest.Wait() // every copy is either in the handler or waiting
		if got := runs.Load(); got != 1 {
			t.Fatalf("%d copies in the handler, want 1", got)
		}
		close(release)
		wg.Wait()
		for i, c := range codes {
			if c != http.StatusNoContent {
				t.Errorf("copy %d: status %d", i, c)
			}
		}
		if got := runs.Load(); got != 1 {
			t.Errorf("the handler ran %d times", got)
		}

		// A handler slower than InFlightWait: the copy answers 503 and
		// WeChat retries later.
		release = make(chan struct{})
		cb2 := complaintCallback("EV-slow", "CREATE_COMPLAINT")
		first, second := wc.request(cb2), wc.request(cb2)
		var firstCode int
		wg.Go(func() { firstCode = serve(h, first).Code })
		synctest.Wait()
		rec := serve(h, second) // waits InFlightWait of virtual time
		if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") == "" {
			t.Errorf("the copy: status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
		}
		close(release)
		wg.Wait()
		if firstCode != http.StatusNoContent {
			t.Errorf("the first: %d", firstCode)
		}
	})
}

// A store that fails: 503 with Retry-After, the handler not run, nothing
// lost (WeChat retries).
func TestStoreFailure(t *testing.T) {
	wc := newWeChat(t)
	rc := &recorder{}
	h := newMiddleware(t, rc, func(c *Config) { c.Replay = failingStore{} })
	rec := serve(h, wc.request(complaintCallback("EV-store", "CREATE_COMPLAINT")))
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "1" || len(rc.events) != 0 {
		t.Fatalf("status %d, Retry-After %q, %d runs", rec.Code, rec.Header().Get("Retry-After"), len(rc.events))
	}
}

type failingStore struct{}

func (failingStore) Claim(context.Context, string, middleware.Fingerprint, time.Duration, time.Duration) (middleware.ClaimResult, error) {
	return 0, errDown
}
func (failingStore) Complete(context.Context, string, middleware.Fingerprint, time.Duration) error {
	return errDown
}
func (failingStore) Release(context.Context, string, middleware.Fingerprint) error { return errDown }

var errDown = storeError("connection refused")

type storeError string

func (e storeError) Error() string { return string(e) }

type namedStore struct {
	name  string
	store middleware.ReplayStore
}

// stores returns the stores the dedupe tests run against: the memory
// store, and Redis when PAYFEEDBACK_REDIS_URL names one (.ci/run starts
// one, so CI runs both).
func stores(t *testing.T) []namedStore {
	out := []namedStore{{"memory", nil}}
	u := os.Getenv("PAYFEEDBACK_REDIS_URL")
	if u == "" {
		return out
	}
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	rdb := redis.NewClient(opts)
	t.Cleanup(func() { rdb.Close() })
	prefix := "pfcallbacktest:" + time.Now().Format("150405.000000") + ":"
	t.Cleanup(func() {
		keys, _ := rdb.Keys(context.Background(), prefix+"*").Result()
		if len(keys) > 0 {
			rdb.Del(context.Background(), keys...)
		}
	})
	return append(out, namedStore{"redis", redisstore.NewReplayStore(rdb, redisstore.ReplayOptions{Prefix: prefix})})
}
