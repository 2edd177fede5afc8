package console

import (
	"bytes"
	"embed"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/clock"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed assets
var assetFS embed.FS

// Backend is what the console reads of the fake. It never writes: the
// forms call the admin API from the browser.
type Backend interface {
	Now() time.Time
	// VirtualClock returns the virtual clock, nil on real time.
	VirtualClock() *clock.Virtual
	Accounts() []world.Account
	// MessageWindow is how long after an interaction the account may
	// message the user.
	MessageWindow() time.Duration
	User(appID, openID string) (world.User, bool)
	InboxOf(appID, openID string) []world.Message
	Complaint(feedbackID string) (world.Complaint, bool)
	ComplaintsPage(after string, limit int, match func(*world.Complaint) bool) ([]world.Complaint, error)
	// ResolveComplaint returns the whole feedback id that id names: the
	// id itself, or an unambiguous start of one.
	ResolveComplaint(id string) (string, error)
	DeliveriesOf(match func(*push.Delivery) bool) []push.Delivery
	LatestCalls(f calllog.Filter, limit int) []calllog.Call
	Faults() []fault.Fault
	PendingDeliveries() int
}

// Options configure the console.
type Options struct {
	Backend Backend
	// Pay, when set, adds the Complaints 2.0 pages (/pay-complaints,
	// /pay-keys, /pay-signatures) and their link; nil: the fake does not
	// play Complaints 2.0, and those pages say so.
	Pay    PayBackend
	Logger *slog.Logger
}

// Handler serves the console's pages and assets (GET and HEAD only).
type Handler struct {
	b   Backend
	pay PayBackend // nil: Complaints 2.0 is off
	log *slog.Logger
	// pages are the parsed page templates, parsed at the first page
	// served: parsing them all took a fifth of the fake's start-up.
	pages  func() map[string]*template.Template
	assets http.Handler
	mux    *http.ServeMux
}

// parsePages parses every page's template with the layout and the shared
// parts. The templates are embedded: an error is a bug, caught by the
// tests that render each page, so it panics.
func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	base := template.Must(template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html"))
	for _, page := range []string{"overview", "complaints", "complaint", "user", "calls", "platform", "notfound",
		"pay_complaints", "pay_complaint", "pay_keys", "pay_signatures"} {
		pages[page] = template.Must(template.Must(base.Clone()).ParseFS(templateFS, "templates/"+page+".html"))
	}
	return pages
}

// CSP is the Content-Security-Policy of every answer: the fake's own
// scripts, styles, images and connections, nothing inline, no frames, no
// forms posting elsewhere.
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
	"form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// New returns the console.
func New(o Options) *Handler {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &Handler{b: o.Backend, pay: o.Pay, log: log, pages: sync.OnceValue(parsePages), mux: http.NewServeMux()}
	sub, err := fs.Sub(assetFS, "assets")
	if err != nil {
		panic(err)
	}
	h.assets = http.StripPrefix("/assets/", http.FileServerFS(sub))
	h.mux.HandleFunc("GET /{$}", h.overview)
	h.mux.HandleFunc("GET /complaints", h.complaints)
	h.mux.HandleFunc("GET /complaints/{id}", h.complaint)
	h.mux.HandleFunc("GET /users/{appid}/{openid}", h.user)
	h.mux.HandleFunc("GET /calls", h.calls)
	h.mux.HandleFunc("GET /platform", h.platform)
	h.mux.HandleFunc("GET /pay-complaints", h.payComplaints)
	h.mux.HandleFunc("GET /pay-complaints/{id}", h.payComplaint)
	h.mux.HandleFunc("GET /pay-keys", h.payKeys)
	h.mux.HandleFunc("GET /pay-signatures", h.paySignatures)
	h.mux.HandleFunc("GET /assets/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-cache")
		h.assets.ServeHTTP(w, r)
	})
	h.mux.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/svg+xml")
		w.Header().Set("Cache-Control", "max-age=86400")
		b, _ := assetFS.ReadFile("assets/favicon.svg")
		w.Write(b)
	})
	h.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		h.notFound(w, r, "page "+r.URL.Path)
	})
	return h
}

// Owns reports whether the console serves path: "/", "/complaints…",
// "/users/…", "/calls", "/platform", the Complaints 2.0 pages
// ("/pay-complaints…", "/pay-keys", "/pay-signatures"), "/assets/…" and "/favicon.ico" (which
// browsers ask for: it would fill the call log with 404s otherwise). The WeChat API's paths
// (/cgi-bin/, /payfeedback/, /pay/) and the admin API (/_mock/) are not.
func Owns(path string) bool {
	switch {
	case path == "/", path == "/complaints", path == "/calls", path == "/platform", path == "/favicon.ico",
		path == "/pay-complaints", path == "/pay-keys", path == "/pay-signatures":
		return true
	case strings.HasPrefix(path, "/complaints/"), strings.HasPrefix(path, "/users/"), strings.HasPrefix(path, "/assets/"),
		strings.HasPrefix(path, "/pay-complaints/"):
		return true
	}
	return false
}

// ServeHTTP serves a page or an asset.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	hd.Set("X-Frame-Options", "DENY")
	h.mux.ServeHTTP(w, r)
}

// page is what every page template gets.
type page struct {
	// Root is the relative path to the console's root ("./", "../"…),
	// so that links work wherever the fake is mounted.
	Root  string
	Title string
	Nav   string
	// Events are the event kinds the page follows live; Feedback limits
	// them to one complaint.
	Events   string
	Feedback string
	// Pay: the fake plays Complaints 2.0 (its link shows).
	Pay   bool
	Clock clockView
	Data  any
}

// clockView is the fake's clock as pages show it.
type clockView struct {
	Now     time.Time
	Virtual bool
	Pending int
}

func (h *Handler) clockView() clockView {
	v := clockView{Now: h.b.Now()}
	if c := h.b.VirtualClock(); c != nil {
		v.Virtual, v.Pending = true, c.Pending()
	}
	return v
}

// render executes a page into a buffer, then writes it: a template error
// answers 500 instead of half a page.
func (h *Handler) render(w http.ResponseWriter, r *http.Request, status int, name string, p *page) {
	p.Root = rootOf(r.URL.Path)
	p.Clock = h.clockView()
	p.Pay = h.pay != nil
	if p.Nav == "" {
		p.Nav = name
	}
	var buf bytes.Buffer
	if err := h.pages()[name].ExecuteTemplate(&buf, "layout.html", p); err != nil {
		h.log.Error("mockwechat: console: rendering a page", "page", name, "err", err)
		http.Error(w, "mockwechat: console: the page could not be rendered (see the fake's log)", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// rootOf returns the relative path from a page's URL path to the
// console's root: "/" and "/calls" → "./", "/complaints/1" → "../".
func rootOf(path string) string {
	depth := strings.Count(path, "/") - 1
	if depth <= 0 {
		return "./"
	}
	return strings.Repeat("../", depth)
}

// notFound answers a page for something that does not exist.
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, what string) {
	h.render(w, r, http.StatusNotFound, "notfound", &page{Title: "Not found", Data: notFound{What: what}})
}

// notFound is what the not-found page says: there is no What, or Why the
// address names nothing.
type notFound struct{ What, Why string }
