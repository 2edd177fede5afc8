package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// followedClock is the fake WeChat's clock, read over HTTP (GET
// /_mock/clock), for a run of `payfeedback check --virtual-clock`: there
// the fake's clock is virtual and jumps days ahead, and the merchant must
// judge the freshness of notifications, the life of its token and its own
// schedule by it. Each Now reads the fake's clock (never a cached value:
// right after a jump, a stale one would take a fresh push for one from the
// future); when the fake cannot be read it goes on from the last reading.
// AfterFunc's functions run once the followed clock reached them, looked
// at every pollEvery while run runs.
//
// The lock guards offset and timers; it is taken alone.
type followedClock struct {
	url    string
	client *http.Client

	mu     sync.Mutex
	offset time.Duration // the fake's time minus the local time, as last read
	timers []followedTimer
}

type followedTimer struct {
	at time.Time
	f  func()
}

// pollEvery is how often run looks whether a deferred function is due.
const pollEvery = 100 * time.Millisecond

func newFollowedClock(baseURL string) *followedClock {
	return &followedClock{url: baseURL + "/_mock/clock", client: &http.Client{Timeout: 5 * time.Second}}
}

// read asks the fake for its time.
func (c *followedClock) read(ctx context.Context) (time.Time, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.url, nil)
	if err != nil {
		return time.Time{}, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return time.Time{}, err
	}
	defer resp.Body.Close()
	var v struct {
		Now time.Time `json:"now"`
	}
	if resp.StatusCode != http.StatusOK {
		return time.Time{}, fmt.Errorf("GET %s: %s", c.url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
		return time.Time{}, fmt.Errorf("GET %s: %w", c.url, err)
	}
	return v.Now, nil
}

// Now returns the fake's time.
func (c *followedClock) Now() time.Time {
	local := time.Now()
	t, err := c.read(context.Background())
	c.mu.Lock()
	defer c.mu.Unlock()
	if err != nil {
		return local.Add(c.offset)
	}
	c.offset = t.Sub(local)
	return t
}

// AfterFunc runs f once the followed clock has moved d ahead.
func (c *followedClock) AfterFunc(d time.Duration, f func()) {
	at := c.Now().Add(d)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.timers = append(c.timers, followedTimer{at: at, f: f})
}

// run runs the deferred functions as they fall due, until ctx ends.
func (c *followedClock) run(ctx context.Context) {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		c.mu.Lock()
		pending := len(c.timers)
		c.mu.Unlock()
		if pending == 0 {
			continue
		}
		now := c.Now()
		c.mu.Lock()
		var due []func()
		kept := c.timers[:0]
		for _, t := range c.timers {
			if t.at.After(now) {
				kept = append(kept, t)
			} else {
				due = append(due, t.f)
			}
		}
		c.timers = kept
		c.mu.Unlock()
		for _, f := range due {
			go f()
		}
	}
}
