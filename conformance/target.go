package conformance

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"syscall"
	"time"
)

// request is what a case asks a target to send.
type request struct {
	// method is the HTTP method ("": POST).
	method string
	// body is the body, unless big is set.
	body []byte
	// big is a body generated on the fly (the oversized cases).
	big *bigBody
	// chunked sends the body without Content-Length.
	chunked bool
	// cutAfter > 0 sends only that many body bytes and then ends the
	// connection's sending side: a delivery attempt that failed on the
	// way (see the package documentation).
	cutAfter int
	// wait bounds the wait for the answer.
	wait time.Duration
	// header holds the headers sent beside Content-Type (a Complaints 2.0
	// callback's Wechatpay-* and Request-ID), recorded in the exchange.
	header http.Header
	// isJSON marks a JSON body (application/json, a Complaints 2.0
	// callback's) instead of XML.
	isJSON bool
}

// bigBody is prefix, then fill repeated, then suffix: size bytes in all.
type bigBody struct {
	prefix, suffix []byte
	fill           byte
	size           int64
}

func (b *bigBody) reader() io.Reader {
	n := b.size - int64(len(b.prefix)) - int64(len(b.suffix))
	return io.MultiReader(bytes.NewReader(b.prefix), io.LimitReader(repeatByte(b.fill), n), bytes.NewReader(b.suffix))
}

// excerpt is the start of the body, for the record.
func (b *bigBody) excerpt() string {
	head := make([]byte, 0, MaxExcerpt)
	head = append(head, b.prefix...)
	for len(head) < MaxExcerpt {
		head = append(head, b.fill)
	}
	return string(head[:MaxExcerpt]) + "…"
}

// repeatByte is an endless reader of one byte.
type repeatByte byte

func (r repeatByte) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

func (q request) methodOrPost() string {
	if q.method == "" {
		return http.MethodPost
	}
	return q.method
}

func (q request) size() int64 {
	if q.big != nil {
		return q.big.size
	}
	return int64(len(q.body))
}

// wireRequest records q as sent to target.
func (q request) wireRequest(target string) WireRequest {
	w := WireRequest{Method: q.methodOrPost(), Target: target, BodySize: q.size(), Header: map[string]string{"Content-Type": q.mediaType()}}
	for k, v := range q.header {
		w.Header[k] = v[0]
	}
	if q.chunked {
		w.Header["Transfer-Encoding"] = "chunked"
	} else {
		w.Header["Content-Length"] = strconv.FormatInt(q.size(), 10)
	}
	switch {
	case q.big != nil:
		w.Body = q.big.excerpt()
	case q.cutAfter > 0 && q.cutAfter < len(q.body):
		w.Body = excerpt(q.body[:q.cutAfter])
	default:
		w.Body = excerpt(q.body)
	}
	return w
}

// contentType is what WeChat's notifications carry.
const contentType = "text/xml"

// jsonContentType is what WeChat's Complaints 2.0 callbacks carry.
const jsonContentType = "application/json"

// mediaType is the Content-Type q is sent with.
func (q request) mediaType() string {
	if q.isJSON {
		return jsonContentType
	}
	return contentType
}

// setHeaders sets q's Content-Type and headers on h.
func (q request) setHeaders(h http.Header) {
	h.Set("Content-Type", q.mediaType())
	for k, v := range q.header {
		h[k] = v
	}
}

// target is the merchant's endpoint, over the network or in-process.
type target interface {
	send(ctx context.Context, q request) Exchange
	// describe says what is under test, for the report.
	describe() string
	// close waits for work the target started to end (bounded).
	close()
}

// urlTarget is a live endpoint.
type urlTarget struct {
	raw    string
	u      *url.URL
	client *http.Client
	tls    *tls.Config
}

func newURLTarget(raw string, c *http.Client) *urlTarget {
	u, _ := url.Parse(raw) // checked by settle
	t := &urlTarget{raw: raw, u: u}
	if c == nil {
		tr := &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
			MaxIdleConnsPerHost: 4,
			IdleConnTimeout:     30 * time.Second,
			TLSHandshakeTimeout: 10 * time.Second,
		}
		c = &http.Client{Transport: tr}
	} else {
		cc := *c
		c = &cc
	}
	c.Timeout = 0
	// A redirect is an answer, not an acceptance: never follow it.
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	t.client = c
	if tr, ok := c.Transport.(*http.Transport); ok && tr.TLSClientConfig != nil {
		t.tls = tr.TLSClientConfig.Clone()
	}
	return t
}

func (t *urlTarget) describe() string { return t.raw }

func (t *urlTarget) close() { t.client.CloseIdleConnections() }

func (t *urlTarget) send(ctx context.Context, q request) Exchange {
	switch {
	case q.cutAfter > 0:
		return t.sendCut(ctx, q)
	case q.big != nil:
		return t.sendBig(ctx, q)
	}
	ex := Exchange{Request: q.wireRequest(t.u.RequestURI())}
	ctx, cancel := context.WithTimeout(ctx, q.wait)
	defer cancel()
	var body io.Reader
	if q.big != nil {
		body = q.big.reader()
	} else {
		body = bytes.NewReader(q.body)
	}
	if q.chunked {
		body = struct{ io.Reader }{body} // hide the length
	}
	req, err := http.NewRequestWithContext(ctx, q.methodOrPost(), t.raw, body)
	if err != nil {
		ex.Error = err.Error()
		return ex
	}
	req.ContentLength = q.size()
	if q.chunked {
		req.ContentLength = -1
	}
	q.setHeaders(req.Header)
	start := time.Now()
	resp, err := t.client.Do(req)
	if err != nil {
		ex.Duration = time.Since(start)
		ex.fail(err, q.wait)
		return ex
	}
	wr, err := readResponse(resp)
	ex.Duration = time.Since(start)
	ex.Response = wr
	if err != nil {
		ex.Note = "the response body could not be read in full: " + describeErr(err, q.wait)
	}
	return ex
}

// readResponse records resp, reading at most 1 MiB of its body.
func readResponse(resp *http.Response) (*WireResponse, error) {
	defer resp.Body.Close()
	var head bytes.Buffer
	n, err := io.Copy(&head, io.LimitReader(resp.Body, MaxExcerpt+1))
	if err == nil && n > MaxExcerpt {
		var rest int64
		rest, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		n += rest
	}
	return &WireResponse{
		Status:   resp.StatusCode,
		Header:   pickHeaders(resp.Header, keptResponseHeaders[:]),
		Body:     excerpt(head.Bytes()),
		BodySize: n,
	}, err
}

// sendCut opens a connection of its own, sends the headers and the first
// q.cutAfter bytes of a body announced longer, then closes its sending
// side (the merchant reads an early end of body) and reads whatever the
// merchant answers until it closes the connection.
func (t *urlTarget) sendCut(ctx context.Context, q request) Exchange {
	ex := Exchange{
		Note:    fmt.Sprintf("connection ended by the sender after %d of %d body bytes", q.cutAfter, len(q.body)),
		Request: q.wireRequest(t.u.RequestURI()),
	}
	ctx, cancel := context.WithTimeout(ctx, q.wait)
	defer cancel()
	start := time.Now()
	conn, err := t.dial(ctx)
	if err != nil {
		ex.fail(err, q.wait)
		return ex
	}
	defer conn.Close()
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n",
		q.methodOrPost(), t.u.RequestURI(), t.u.Host, q.mediaType(), len(q.body))
	b.Write(q.body[:min(q.cutAfter, len(q.body))])
	if _, err := conn.Write(b.Bytes()); err != nil {
		ex.fail(err, q.wait)
		return ex
	}
	type closeWriter interface{ CloseWrite() error }
	if cw, ok := conn.(closeWriter); ok {
		_ = cw.CloseWrite()
	}
	// The merchant may answer (an early end of body is an error it can
	// report) or just close; either way it is done with the attempt.
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err == nil {
		ex.Response, _ = readResponse(resp)
	} else if f := classify(err); f != FaultClosed {
		ex.fail(err, q.wait)
	}
	ex.Duration = time.Since(start)
	return ex
}

// dial opens a connection of the suite's own to the URL's host (TLS for
// https, with the client's TLS settings), its deadline ctx's.
func (t *urlTarget) dial(ctx context.Context) (net.Conn, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", hostPort(t.u))
	if err != nil {
		return nil, err
	}
	conn := raw
	if t.u.Scheme == "https" {
		cfg := t.tls
		if cfg == nil {
			cfg = &tls.Config{}
		} else {
			cfg = cfg.Clone()
		}
		if cfg.ServerName == "" {
			cfg.ServerName = t.u.Hostname()
		}
		tc := tls.Client(raw, cfg)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			return nil, err
		}
		conn = tc
	}
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	return conn, nil
}

// sendBig sends an oversized body on a connection of its own while it
// reads the answer: a merchant may answer before it has read the body
// (413, or a 200 that accepts it) and close the connection, and the answer
// is what counts. net/http's client reports the failed write instead and
// loses an answer that came first, which made a merchant that answered 200
// and closed look like one that refused. Only when no answer came at all
// and the connection was closed (a reset, an early end of file) is the
// closing the merchant's refusal (FaultClosed).
func (t *urlTarget) sendBig(ctx context.Context, q request) Exchange {
	ex := Exchange{Request: q.wireRequest(t.u.RequestURI())}
	ctx, cancel := context.WithTimeout(ctx, q.wait)
	defer cancel()
	start := time.Now()
	conn, err := t.dial(ctx)
	if err != nil {
		ex.fail(err, q.wait)
		return ex
	}
	// A cancelled run ends the exchange at once, not at the deadline.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	req, err := http.NewRequestWithContext(ctx, q.methodOrPost(), t.raw, q.big.reader())
	if err != nil {
		conn.Close()
		ex.Error = err.Error()
		return ex
	}
	req.ContentLength = q.size()
	if q.chunked {
		req.ContentLength = -1 // Request.Write sends it chunked
	}
	q.setHeaders(req.Header)
	req.Close = true
	// A failed write is the merchant closing while the body came; the
	// reader meets it too, and only what the reader got counts.
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		bw := bufio.NewWriterSize(conn, 32<<10)
		if req.Write(bw) == nil {
			_ = bw.Flush()
		}
	}()
	resp, rerr := http.ReadResponse(bufio.NewReader(conn), req)
	ex.Duration = time.Since(start)
	select {
	case <-sent:
	default:
		if rerr == nil {
			ex.Note = "the merchant answered before the whole body was sent"
		}
	}
	if rerr == nil {
		ex.Response, _ = readResponse(resp) // the answer counts, however the connection ends after it
	}
	conn.Close() // ends the writer, if it still writes
	<-sent
	if rerr != nil {
		if ctx.Err() != nil && classify(rerr) == FaultClosed {
			rerr = ctx.Err() // the deadline or the run's end closed it, not the merchant
		}
		ex.fail(rerr, q.wait)
	}
	return ex
}

// describeErr words a transport error for the report.
func describeErr(err error, wait time.Duration) string {
	switch classify(err) {
	case FaultTimeout:
		return "no answer within " + wait.String()
	case FaultCancelled:
		return "run cancelled"
	}
	return err.Error()
}

// classify sorts a transport error by what it means for a case, with
// errors.Is and errors.As on the error chain (net/http wraps the
// system's errors), never by its text.
func classify(err error) TransportFault {
	var ne net.Error
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.Canceled):
		return FaultCancelled
	case errors.Is(err, context.DeadlineExceeded), errors.As(err, &ne) && ne.Timeout():
		return FaultTimeout
	case errors.Is(err, syscall.ECONNREFUSED):
		return FaultRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE), errors.Is(err, syscall.ECONNABORTED),
		errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, net.ErrClosed):
		return FaultClosed
	}
	return FaultOther
}

// fail records a transport error in ex.
func (ex *Exchange) fail(err error, wait time.Duration) {
	ex.Error = describeErr(err, wait)
	ex.Fault = classify(err)
}

// hostPort is u's host with the scheme's port when it names none.
func hostPort(u *url.URL) string {
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "https" {
		return net.JoinHostPort(u.Hostname(), "443")
	}
	return net.JoinHostPort(u.Hostname(), "80")
}
