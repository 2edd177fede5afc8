package admin

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// Prefix is where the admin API lives.
const Prefix = "/_mock/"

// Backend is the fake as the admin API drives it: the Go API of
// mockwechat.Server, plus the paged listings the admin API offers.
type Backend interface {
	Now() time.Time
	// VirtualClock returns the virtual clock, nil on real time.
	VirtualClock() *clock.Virtual

	Accounts() []world.Account
	AddAccount(a world.Account) error
	PatchAccount(appID string, p world.AccountPatch) (world.Account, error)
	RecordInteraction(in world.Interaction) (world.User, error)
	AppID(appID string) (string, error)
	User(appID, openID string) (world.User, bool)
	Inbox(openID string) []world.Message
	InboxOf(appID, openID string) []world.Message
	AddOrder(o world.Order) (world.Order, error)
	Order(transID string) (world.Order, bool)
	AddMedia(appID, kind string) (world.Media, error)

	FileComplaint(ctx context.Context, spec world.ComplaintSpec) (world.Complaint, error)
	// ResolveComplaint returns the whole feedback id that id names: the
	// id itself, or an unambiguous start of one.
	ResolveComplaint(id string) (string, error)
	Complaint(feedbackID string) (world.Complaint, bool)
	ComplaintsPage(after string, limit int, match func(*world.Complaint) bool) ([]world.Complaint, error)
	WaitForComplaint(ctx context.Context, feedbackID string, match func(world.Complaint) bool) (world.Complaint, error)
	Confirm(ctx context.Context, feedbackID string) error
	RejectWithReason(ctx context.Context, feedbackID, reason string) error
	RequestArbitration(ctx context.Context, feedbackID string) error
	SubmitEvidence(ctx context.Context, feedbackID, note string, picURLs []string) error
	Arbitrate(ctx context.Context, feedbackID string, forUser bool) error

	AddFault(f fault.Fault) error
	Faults() []fault.Fault
	RemoveFault(id uint64) error
	ClearFaults()

	CallsPage(since uint64, limit int) ([]calllog.Call, uint64)
	CallStats(match func(calllog.Call) bool) map[payfeedback.ErrorCode]int
	ClearCalls()
	WaitForCallSince(ctx context.Context, since uint64, match func(calllog.Call) bool) (calllog.Call, error)

	Deliveries() []push.Delivery
	WaitForDelivery(ctx context.Context, match func(push.Delivery) bool) (push.Delivery, error)
	WaitIdle(ctx context.Context) error
	PendingDeliveries() int

	Reset(ctx context.Context) error
	// Snapshot returns the world as a scenario file, "json" or "yaml",
	// with the accounts' secrets and the tokens or without them.
	Snapshot(format string, omitSecrets bool) ([]byte, error)
}

// Options configure the admin API.
type Options struct {
	Backend Backend
	// Events serves GET /_mock/events (the feed as Server-Sent Events);
	// nil answers 404.
	Events http.Handler
	// Pay drives Complaints 2.0 (/_mock/pay/…); nil: those endpoints
	// answer 404 (ErrPayOff).
	Pay PayBackend
}

// Handler serves the admin API under Prefix: the Go API as JSON, for CI
// in any language. It is unauthenticated; the guard keeps web pages out
// (see guard.go), behind the server's Host check (package hostguard).
type Handler struct {
	b      Backend
	pay    PayBackend // nil: Complaints 2.0 is off
	guard  guard
	mux    *http.ServeMux
	routes []Route // in registration order
	doc    openAPI
}

// Route is one admin endpoint the handler serves.
type Route struct {
	Method string `json:"method"`
	// Path is the path pattern, with {name} for a path parameter.
	Path string `json:"path"`
}

// New returns the admin API.
func New(o Options) *Handler {
	h := &Handler{b: o.Backend, pay: o.Pay, mux: http.NewServeMux(),
		doc: loadOpenAPI()}
	route := func(pattern string, f func(r *http.Request) (int, any, error)) {
		h.handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			status, v, err := f(r)
			if err != nil {
				writeError(w, err)
				return
			}
			writeJSON(w, status, v)
		}))
	}
	h.discoverRoutes(route, o.Events)
	h.worldRoutes(route)
	h.complaintRoutes(route)
	h.observeRoutes(route)
	h.stateRoutes(route)
	h.payRoutes(route)
	h.mux.HandleFunc("/_mock/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody{Error: fmt.Sprintf(
			"mockwechat: admin: no endpoint %s %s: see GET /_mock/ for the endpoints, /_mock/openapi.json for their schemas",
			text.Clip(r.Method, 16), text.Clip(r.URL.Path, 128))})
	})
	h.mux.HandleFunc("/_mock", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/_mock/", http.StatusFound)
	})
	return h
}

// handle registers an endpoint ("METHOD /path") and remembers it for the
// index at GET /_mock/ and for the test that holds openapi.json to what
// is served: register every endpoint through handle (or route), never on
// h.mux directly.
func (h *Handler) handle(pattern string, hd http.Handler) {
	method, path, _ := strings.Cut(pattern, " ")
	h.routes = append(h.routes, Route{Method: method, Path: path})
	h.mux.Handle(pattern, hd)
}

// Routes returns the endpoints the handler serves, in registration order,
// as the OpenAPI document names them.
func (h *Handler) Routes() []Route {
	out := make([]Route, len(h.routes))
	for i, rt := range h.routes {
		out[i] = rt.documented()
	}
	return out
}

// ServeHTTP guards, then serves, an admin request.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if status, err := h.guard.check(r); err != nil {
		writeJSON(w, status, errorBody{Error: err.Error()})
		return
	}
	h.mux.ServeHTTP(w, r)
}

// routeFunc registers an admin endpoint.
type routeFunc func(pattern string, f func(r *http.Request) (int, any, error))
