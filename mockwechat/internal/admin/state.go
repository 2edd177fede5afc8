package admin

import (
	"net/http"
)

// The state routes: the whole world back to its start.
func (h *Handler) stateRoutes(route routeFunc) {
	route("POST /_mock/reset", h.reset)
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
