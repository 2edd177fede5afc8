package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

const (
	maxBody     = 1 << 20
	defaultWait = 10 * time.Second
	maxWait     = 120 * time.Second
)

type errorBody struct {
	Error string `json:"error"`
}

// badRequest marks an admin error as the caller's (HTTP 400).
type badRequest struct{ error }

func badRequestf(format string, args ...any) error {
	return badRequest{fmt.Errorf("mockwechat: admin: "+format, args...)}
}

func writeError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, world.ErrNotFound), errors.Is(err, payworld.ErrNotFound), errors.Is(err, ErrPayOff):
		status = http.StatusNotFound
	case errors.Is(err, world.ErrState), errors.Is(err, payworld.ErrState):
		status = http.StatusConflict
	case errors.Is(err, payworld.ErrNoAuth):
		status = http.StatusForbidden
	case errors.Is(err, events.ErrClosed):
		status = http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded):
		status = http.StatusRequestTimeout
	}
	writeJSON(w, status, errorBody{Error: err.Error()})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if hv, ok := v.(headed); ok {
		hv.header(w.Header())
	}
	w.WriteHeader(status)
	if s, ok := v.(streamer); ok {
		s.stream(w)
		io.WriteString(w, "\n")
		return
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// streamer is an answer written piece by piece, so that a long listing
// never sits whole in memory as JSON.
type streamer interface {
	stream(w io.Writer)
}

// headed is an answer with headers of its own.
type headed interface {
	header(h http.Header)
}

// page is one page of a listing: a JSON array, with a Link header to the
// next page (RFC 8288, rel="next") when more follow.
type page[T any] struct {
	items jsonList[T]
	next  string // the next page's path and query; "" when this is the last
}

func (p page[T]) stream(w io.Writer) { p.items.stream(w) }

func (p page[T]) header(h http.Header) {
	if p.next != "" {
		h.Set("Link", "<"+p.next+`>; rel="next"`)
	}
}

// jsonList is a JSON array, encoded one element at a time.
type jsonList[T any] []T

func (l jsonList[T]) stream(w io.Writer) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	io.WriteString(w, "[")
	for i, it := range l {
		if i > 0 {
			io.WriteString(w, ",")
		}
		enc.Encode(it) // its trailing newline is JSON white space
	}
	io.WriteString(w, "]")
}

// decodeBody reads a JSON body strictly (unknown fields are refused, so a
// typo in a CI script says so). An empty body leaves v as it is.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return badRequestf("bad JSON body: %v", err)
	}
	return nil
}

// waitCtx bounds a long poll by ?timeout= (default 10 s, at most 120 s).
func waitCtx(r *http.Request) (context.Context, context.CancelFunc, error) {
	d := defaultWait
	if v := r.URL.Query().Get("timeout"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d < 0 {
			return nil, nil, badRequestf("timeout %q: want a Go duration such as 10s", text.Clip(v, 32))
		}
		d = min(d, maxWait)
	}
	ctx, cancel := context.WithTimeout(r.Context(), d)
	return ctx, cancel, nil
}

// timeoutError explains a long poll that matched nothing in time.
func timeoutError(r *http.Request, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		t := r.URL.Query().Get("timeout")
		if t == "" {
			t = defaultWait.String()
		}
		return fmt.Errorf("mockwechat: admin: nothing matched within %s (raise ?timeout=, at most %s): %w", t, maxWait, err)
	}
	return err
}

// limitParam reads ?limit= (0 when absent: no limit).
func limitParam(q url.Values) (int, error) { return pageLimit(q, 0) }

// pageLimit reads ?limit=: def when absent, 0 (no limit) when asked.
func pageLimit(q url.Values, def int) (int, error) {
	v := q.Get("limit")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, badRequestf("limit %q: want a count, 0 or more", text.Clip(v, 16))
	}
	return n, nil
}

// matches reports whether a query parameter is absent or equal to v.
func matches(q url.Values, key, v string) bool {
	return q.Get(key) == "" || q.Get(key) == v
}
