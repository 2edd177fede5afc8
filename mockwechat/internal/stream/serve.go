package stream

import (
	"encoding/json"
	"net/http"
	"time"
)

// ServeHTTP streams the feed to one client until it goes, the fake closes,
// or a write stalls beyond Options.WriteTimeout. Query: ?kinds= (a
// comma-separated subset of complaint, world, push, call, clock; default
// all) and ?feedback_id= (only that complaint's events, and the clock's).
func (h *Hub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	kinds, err := parseKinds(q.Get("kinds"))
	if err != nil {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.WriteHeader(http.StatusBadRequest)
		json.NewEncoder(w).Encode(map[string]string{"error": err.Error()})
		return
	}
	// (net/http clears the read deadline once the request is read: the
	// stream outlives the server's read timeout; TestEventsStream checks.)
	rc := http.NewResponseController(w)
	c := &client{kinds: kinds, feedbackID: q.Get("feedback_id"), frames: make(chan []byte, h.o.ClientBuffer), done: make(chan struct{})}
	h.join(c)
	defer h.leave(c)

	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no") // a proxy in front must not buffer the stream
	w.WriteHeader(http.StatusOK)
	if !h.write(w, rc, []byte("retry: 2000\n: connected\n\n")) {
		return
	}
	for {
		select {
		case <-r.Context().Done():
			return
		case <-c.done:
			return
		case f := <-c.frames:
			if !h.writeQueued(w, rc, c, f) {
				return
			}
		}
	}
}

// writeQueued writes f, what else is queued, and a gap when frames were
// missed, then flushes once.
func (h *Hub) writeQueued(w http.ResponseWriter, rc *http.ResponseController, c *client, f []byte) bool {
	rc.SetWriteDeadline(time.Now().Add(h.o.WriteTimeout))
	if _, err := w.Write(f); err != nil {
		return false
	}
	for more := true; more; {
		select {
		case f := <-c.frames:
			if _, err := w.Write(f); err != nil {
				return false
			}
		default:
			more = false
		}
	}
	if n := c.lagged.Swap(0); n > 0 {
		if _, err := w.Write(notice(EventGap, "missed", n)); err != nil {
			return false
		}
	}
	return rc.Flush() == nil
}

func (h *Hub) write(w http.ResponseWriter, rc *http.ResponseController, b []byte) bool {
	rc.SetWriteDeadline(time.Now().Add(h.o.WriteTimeout))
	if _, err := w.Write(b); err != nil {
		return false
	}
	return rc.Flush() == nil
}
