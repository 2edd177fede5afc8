package admin

import (
	"net/http"
	"strings"

	"github.com/payfeedback/payfeedback/internal/text"
)

// The state routes: the whole world back to its start, or out as a
// scenario.
func (h *Handler) stateRoutes(route routeFunc) {
	route("POST /_mock/reset", h.reset)
	h.handle("GET /_mock/snapshot", http.HandlerFunc(h.snapshot))
}

// reset puts the fake back in its start state and answers as health does.
// The body, if any, must be an empty JSON object.
func (h *Handler) reset(r *http.Request) (int, any, error) {
	var none struct{}
	if err := decodeBody(r, &none); err != nil {
		return 0, nil, err
	}
	if err := h.b.Reset(r.Context()); err != nil {
		return 0, nil, err
	}
	return h.health(r)
}

// snapshot answers the whole world as a scenario: JSON, or YAML with
// ?format=yaml (or an Accept naming yaml); without the accounts' secrets
// and the tokens with ?secrets=omit.
func (h *Handler) snapshot(w http.ResponseWriter, r *http.Request) {
	secrets := r.URL.Query().Get("secrets")
	if secrets != "" && secrets != "include" && secrets != "omit" {
		writeError(w, badRequestf("secrets %q: want include (the default) or omit", text.Clip(secrets, 16)))
		return
	}
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "json"
		if strings.Contains(r.Header.Get("Accept"), "yaml") {
			format = "yaml"
		}
	}
	if format != "json" && format != "yaml" {
		writeError(w, badRequestf("format %q: want json or yaml", text.Clip(format, 16)))
		return
	}
	b, err := h.b.Snapshot(format, secrets == "omit")
	if err != nil {
		writeError(w, err)
		return
	}
	ct := "application/json; charset=utf-8"
	if format == "yaml" {
		ct = "application/yaml; charset=utf-8"
	}
	w.Header().Set("Content-Type", ct)
	w.Write(b)
}
