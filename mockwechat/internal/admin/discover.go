package admin

import (
	_ "embed"
	"encoding/json"
	"net/http"
	"strings"
)

// openapiJSON is the OpenAPI 3.1 document of the admin API, served at
// GET /_mock/openapi.json. Every endpoint New registers is in it, and
// every path in it is served (a test checks both, and that the document
// is valid and real answers fit its schemas): an endpoint added to the
// handler goes in this file too, with its summary, which is its line in
// the index at GET /_mock/.
//
//go:embed openapi.json
var openapiJSON []byte

// OpenAPI returns the OpenAPI document of the admin API (a copy).
func OpenAPI() []byte { return append([]byte(nil), openapiJSON...) }

// openAPI is what the handler reads of the document: each operation's
// summary, by method and path.
type openAPI struct {
	summaries map[Route]string
}

func loadOpenAPI() openAPI {
	var doc struct {
		Paths map[string]map[string]struct {
			Summary string `json:"summary"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(openapiJSON, &doc); err != nil {
		panic("mockwechat: admin: the embedded openapi.json does not parse: " + err.Error())
	}
	o := openAPI{summaries: map[Route]string{}}
	for path, ops := range doc.Paths {
		for method, op := range ops {
			o.summaries[Route{Method: strings.ToUpper(method), Path: path}] = op.Summary
		}
	}
	return o
}

// Discovering the API: the index, the OpenAPI document, readiness and the
// live event stream.
func (h *Handler) discoverRoutes(route routeFunc, events http.Handler) {
	route("GET /_mock/{$}", h.index)
	h.handle("GET /_mock/openapi.json", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Write(openapiJSON)
	}))
	route("GET /_mock/health", h.health)
	if events == nil {
		events = http.NotFoundHandler()
	}
	h.handle("GET /_mock/events", events)
}

// indexEntry is one line of the index.
type indexEntry struct {
	Route
	Summary string `json:"summary"`
}

// index answers every endpoint, one line each, and where to read more.
func (h *Handler) index(r *http.Request) (int, any, error) {
	out := struct {
		Endpoints []indexEntry `json:"endpoints"`
		OpenAPI   string       `json:"openapi"`
		Console   string       `json:"console"`
		Events    string       `json:"events"`
	}{OpenAPI: "/_mock/openapi.json", Console: "/", Events: "/_mock/events"}
	for _, rt := range h.routes {
		out.Endpoints = append(out.Endpoints, indexEntry{Route: rt.documented(), Summary: h.doc.summaries[rt.documented()]})
	}
	return 200, out, nil
}

// documented is the route as the OpenAPI document names it: the index is
// "/_mock/" there, "/_mock/{$}" to the mux.
func (rt Route) documented() Route {
	if rt.Path == "/_mock/{$}" {
		rt.Path = "/_mock/"
	}
	return rt
}

func (h *Handler) health(r *http.Request) (int, any, error) {
	return 200, map[string]any{"status": "ok", "now": h.b.Now(), "virtual_clock": h.b.VirtualClock() != nil,
		"accounts": len(h.b.Accounts())}, nil
}
