package api

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// Paths are the API endpoints served, the names faults may use.
var Paths = []string{payfeedback.PathToken, payfeedback.PathUpdateFeedback, payfeedback.PathSendMessage,
	payfeedback.PathDeliverNotify, payfeedback.PathUploadMedia}

// maxBody bounds the JSON body of custom/send and delivernotify.
const maxBody = 1 << 20

// Options wire a Handler to the fake. All but CallsPerMinute are required.
type Options struct {
	World  *world.World
	Bus    *events.Bus
	Feed   *events.Feed
	Calls  *calllog.Log
	Faults *fault.Set
	// Now is the fake's virtual clock; nil: real time.
	Now func() time.Time
	// CallsPerMinute limits each account's calls of each endpoint (45011
	// beyond); 0: unlimited.
	CallsPerMinute int
}

// Handler serves the WeChat API endpoints: each call checked, answered as
// the live API would, recorded in the call log and told on the feed.
type Handler struct {
	o      Options
	limits *limits // nil: no per-minute limit
	routes map[string]endpoint
	// stop is closed by Stop: calls held without an answer end.
	stop     chan struct{}
	stopOnce sync.Once
}

// endpoint is one API path: its method, whether it reads a JSON body, and
// which handler serves it.
type endpoint struct {
	path   string
	method string
	body   bool
	kind   kind
}

// kind names an endpoint's handler. A switch calls it, not a function
// value: a call then stays on the stack (a function value's argument
// escapes, 160 bytes a call).
type kind uint8

const (
	kindToken kind = iota
	kindUpdate
	kindSend
	kindDeliver
	kindUpload
)

// handle runs the handler of ep.
func (h *Handler) handle(ep endpoint, c *call) response {
	switch ep.kind {
	case kindToken:
		return h.token(c)
	case kindUpdate:
		return h.update(c)
	case kindSend:
		return h.send(c)
	case kindDeliver:
		return h.deliver(c)
	case kindUpload:
		return h.upload(c)
	}
	panic("mockwechat: endpoint " + ep.path + " has no handler") // New's table and this switch disagree
}

// New returns the API handler.
func New(o Options) *Handler {
	h := &Handler{o: o, stop: make(chan struct{})}
	if o.CallsPerMinute > 0 {
		h.limits = newLimits(o.CallsPerMinute)
	}
	h.routes = map[string]endpoint{
		payfeedback.PathToken:          {payfeedback.PathToken, http.MethodGet, false, kindToken},
		payfeedback.PathUpdateFeedback: {payfeedback.PathUpdateFeedback, http.MethodGet, false, kindUpdate},
		payfeedback.PathSendMessage:    {payfeedback.PathSendMessage, http.MethodPost, true, kindSend},
		payfeedback.PathDeliverNotify:  {payfeedback.PathDeliverNotify, http.MethodPost, true, kindDeliver},
		payfeedback.PathUploadMedia:    {payfeedback.PathUploadMedia, http.MethodPost, false, kindUpload},
	}
	return h
}

// Reset forgets the per-minute limits' counts: a server's reset.
func (h *Handler) Reset() {
	if h.limits != nil {
		h.limits.reset()
	}
}

// call is one call being served.
type call struct {
	w     http.ResponseWriter
	r     *http.Request
	path  string
	query string // raw: param reads it, the call log keeps it
	body  []byte
	appID string // the account, once known: for the log and the faults
	now   time.Time
	fault string
	// logged is what the call log keeps of the answer, when not the answer
	// itself (a token, masked).
	logged []byte
}

// param returns a query parameter of the call.
func (c *call) param(key string) string { return param(c.query, key) }

// now returns the time on the fake's clock, and the real time.
func (h *Handler) now() (fake, real time.Time) {
	real = time.Now()
	if h.o.Now == nil {
		return real, real
	}
	return h.o.Now(), real
}

// ServeHTTP serves one API call; unknown paths answer HTTP 404, errcode -1.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ep, ok := h.routes[r.URL.Path]
	if !ok {
		h.unknown(w, r)
		return
	}
	now, start := h.now()
	c := &call{w: w, r: r, path: ep.path, query: r.URL.RawQuery, now: now}
	resp := h.serve(c, ep)
	// What the log keeps must not point into the request line: a 64 KiB
	// query would stay in memory for the sake of a method or an appid (an
	// appid read from the query is copied where it is read).
	rec := calllog.Call{Time: c.now, Endpoint: ep.path, Method: method(r), AppID: c.appID,
		Body: c.body, ErrCode: resp.code, Status: resp.statusOr200(), Fault: c.fault}
	if resp.dropped || resp.silent {
		rec.Status = 0
	} else {
		rec.Answer = write(w, resp)
		if c.logged != nil {
			rec.Answer = c.logged
		}
	}
	rec.Latency = time.Since(start)
	h.record(rec, c.query)
	if resp.silent {
		h.withhold(c)
		return
	}
	if resp.abort {
		panic(http.ErrAbortHandler)
	}
}

// serve runs the checks common to every endpoint, then the endpoint.
func (h *Handler) serve(c *call, ep endpoint) response {
	if c.r.Method != ep.method {
		c.w.Header().Set("Allow", ep.method)
		return response{code: payfeedback.CodeSystemError, status: http.StatusMethodNotAllowed,
			hint: "method " + text.Clip(c.r.Method, 16) + " not allowed on " + ep.path + ", use " + ep.method}
	}
	if ep.body {
		body, err := readBody(c)
		c.body = body
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return fail(payfeedback.CodeDataFormat, "body larger than "+strconv.Itoa(maxBody)+" bytes")
			}
			return fail(payfeedback.CodeSystemError, "reading the body: "+err.Error())
		}
	}
	if h.limits != nil || h.o.Faults.Active() {
		c.appID = h.account(c)
	}
	if h.limits != nil && c.appID != "" && !h.limits.allow(c.appID, ep.path, c.now) {
		return fail(payfeedback.CodeMinuteQuota, "at most "+strconv.Itoa(h.o.CallsPerMinute)+" calls a minute to "+ep.path)
	}
	if plan, ok := h.o.Faults.TakeAPI(ep.path, c.appID); ok {
		c.fault = plan.String()
		if resp, answered := applyFault(c, plan); answered {
			return resp
		}
	}
	return h.handle(ep, c)
}

// readBody reads a JSON body of at most maxBody bytes, in one buffer of
// the announced size when there is one.
func readBody(c *call) ([]byte, error) {
	if n := c.r.ContentLength; n >= 0 && n <= maxBody {
		b := make([]byte, n)
		if _, err := io.ReadFull(c.r.Body, b); err != nil {
			return nil, err
		}
		return b, nil
	}
	return io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxBody))
}

// account returns the account a call is made for: the appid parameter of
// a token call, the token's account otherwise.
func (h *Handler) account(c *call) string {
	if c.path == payfeedback.PathToken {
		return strings.Clone(c.param("appid"))
	}
	return h.o.World.TokenAccount(c.param("access_token"))
}

// method returns the request's method, a constant for the usual ones.
func method(r *http.Request) string {
	switch r.Method {
	case http.MethodGet:
		return http.MethodGet
	case http.MethodPost:
		return http.MethodPost
	}
	return strings.Clone(r.Method)
}

// record logs a call and tells the feed.
func (h *Handler) record(rec calllog.Call, rawQuery string) {
	logged := h.o.Calls.Add(rec, rawQuery)
	if h.o.Feed.Listening() { // else the closure alone would cost an allocation
		h.o.Feed.Publish(events.KindCall, func(e *events.Event) {
			c := logged.Call()
			e.Call = &c
		})
	}
}

// apply carries out a world operation's effects and turns its error into
// the answer.
func (h *Handler) apply(c *call, appID string, fx events.Effects, err error) response {
	if appID != "" {
		c.appID = appID
	}
	if !fx.Empty() {
		h.o.Bus.Apply(fx)
	}
	return answer(err)
}

// answer turns a world error into the API's answer.
func answer(err error) response {
	if err == nil {
		return response{}
	}
	var r *world.Refused
	if errors.As(err, &r) {
		if r.Silent {
			return response{code: r.Code, silent: true}
		}
		return fail(r.Code, r.Hint)
	}
	if errors.Is(err, events.ErrClosed) {
		return response{code: payfeedback.CodeSystemError, status: http.StatusServiceUnavailable, hint: "the fake is shutting down"}
	}
	return fail(payfeedback.CodeSystemError, err.Error())
}

// unknown answers a path the API does not have: HTTP 404 with errcode -1,
// recorded in the call log.
func (h *Handler) unknown(w http.ResponseWriter, r *http.Request) {
	now, start := h.now()
	path := text.Clip(r.URL.Path, 256)
	resp := response{code: payfeedback.CodeSystemError, status: http.StatusNotFound, hint: "mock: no such API " + path}
	rec := calllog.Call{Time: now, Endpoint: strings.Clone(path), Method: method(r), ErrCode: resp.code, Status: resp.status}
	rec.Answer = write(w, resp)
	rec.Latency = time.Since(start)
	h.record(rec, r.URL.RawQuery)
}
