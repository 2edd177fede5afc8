package conformance

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// handlerTarget is an http.Handler run in-process: no sockets, each
// request served on a goroutine of its own so that a slow or stuck handler
// can be given up on.
type handlerTarget struct {
	h    http.Handler
	path string // where the notifications go (Options.Path)
	wg   sync.WaitGroup
}

// handlerDescription is how a report names an in-process handler.
const handlerDescription = "in-process handler"

func (t *handlerTarget) describe() string { return handlerDescription }

// close waits for handlers still running (ones the suite gave up on), for
// at most a minute.
func (t *handlerTarget) close() {
	done := make(chan struct{})
	go func() { t.wg.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(time.Minute):
	}
}

// DefaultPath is the path the suite posts to within an in-process handler
// when Options.Path is empty.
const DefaultPath = "/payfeedback"

func (t *handlerTarget) send(ctx context.Context, q request) Exchange {
	ex := Exchange{Request: q.wireRequest(t.path)}
	reqCtx, cancel := context.WithCancel(ctx)
	var body io.Reader
	switch {
	case q.big != nil:
		body = q.big.reader()
	case q.cutAfter > 0:
		cut := min(q.cutAfter, len(q.body))
		ex.Note = fmt.Sprintf("connection ended by the sender after %d of %d body bytes", cut, len(q.body))
		body = &cutReader{r: bytes.NewReader(q.body[:cut]), cancel: cancel}
	default:
		body = bytes.NewReader(q.body)
	}
	req, err := http.NewRequestWithContext(reqCtx, q.methodOrPost(), "http://merchant.test"+t.path, body)
	if err != nil {
		cancel()
		ex.Error = err.Error()
		return ex
	}
	req.RequestURI = t.path
	req.RemoteAddr = "127.0.0.1:1"
	q.setHeaders(req.Header)
	req.ContentLength = q.size()
	if q.chunked {
		req.ContentLength = -1
		req.TransferEncoding = []string{"chunked"}
	}
	rec := &recorder{header: make(http.Header)}
	done := make(chan struct{})
	start := time.Now()
	t.wg.Add(1)
	go func() {
		defer t.wg.Done()
		defer close(done)
		defer func() {
			if v := recover(); v != nil {
				rec.panicked = fmt.Sprint(v)
			}
		}()
		t.h.ServeHTTP(rec, req)
	}()
	timer := time.NewTimer(q.wait)
	defer timer.Stop()
	select {
	case <-done:
		cancel()
	case <-timer.C:
		cancel()
		ex.Duration = time.Since(start)
		ex.Error, ex.Fault = "no answer within "+q.wait.String(), FaultTimeout
		return ex
	case <-ctx.Done():
		cancel()
		ex.Error, ex.Fault = "run cancelled", FaultCancelled
		return ex
	}
	ex.Duration = time.Since(start)
	if rec.panicked != "" {
		ex.Error, ex.Fault = "the handler panicked: "+rec.panicked, FaultOther
		return ex
	}
	// After a cut the sender is gone: the answer is kept for the record.
	ex.Response = rec.wire()
	return ex
}

// cutReader returns its bytes and then io.ErrUnexpectedEOF, cancelling the
// request's context as net/http does when a client goes away.
type cutReader struct {
	r      io.Reader
	cancel context.CancelFunc
}

func (c *cutReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if err == io.EOF {
		c.cancel()
		return n, io.ErrUnexpectedEOF
	}
	return n, err
}

// recorder is a ResponseWriter that keeps the status, the headers and an
// excerpt of the body.
type recorder struct {
	header   http.Header
	status   int
	body     []byte
	size     int64
	panicked string
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	if room := MaxExcerpt + 1 - len(r.body); room > 0 {
		r.body = append(r.body, p[:min(room, len(p))]...)
	}
	r.size += int64(len(p))
	return len(p), nil
}

// Flush implements http.Flusher (there is nothing to flush).
func (r *recorder) Flush() {}

func (r *recorder) wire() *WireResponse {
	status := r.status
	if status == 0 {
		status = http.StatusOK
	}
	return &WireResponse{Status: status, Header: pickHeaders(r.header, keptResponseHeaders[:]), Body: excerpt(r.body), BodySize: r.size}
}
