package mockwechat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// openAPIChecker checks GET /_mock/openapi.json and the answers of the
// admin API against it, with the JSON Schema validator the scenario loader
// uses already (a full OpenAPI toolkit made the fake's test binary take
// 1.2 GB to link, four times everything else). It checks the rules of
// OpenAPI 3.1 that the fake's document could break — the version, the
// info, paths, operations, parameters and responses and their shapes,
// every path template's parameters declared, operation ids unique, every
// schema a valid JSON Schema 2020-12 whose references resolve — and each
// answer's body against the schema of its operation, status and media
// type.
type openAPIChecker struct {
	doc      map[string]any
	compiler *jsonschema.Compiler
	// mux finds a request's documented path: each operation is registered
	// as "METHOD /path/{param}", the patterns the admin API serves.
	mux     *http.ServeMux
	schemas map[string]*jsonschema.Schema // by JSON pointer
}

const openAPIURL = "mem:///openapi.json"

func newOpenAPIChecker(t testing.TB, raw []byte) *openAPIChecker {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		t.Fatalf("openapi.json is %T, want an object", doc)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(openAPIURL, doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	chk := &openAPIChecker{doc: m, compiler: c, mux: http.NewServeMux(), schemas: map[string]*jsonschema.Schema{}}
	paths, _ := m["paths"].(map[string]any)
	for path, item := range paths {
		ops, _ := item.(map[string]any)
		for method := range ops {
			if !slices.Contains(openAPIMethods, method) {
				continue
			}
			pattern := strings.ToUpper(method) + " " + path
			if err := registerPattern(chk.mux, pattern); err != nil {
				t.Fatalf("openapi.json: path %s: %v", path, err)
			}
		}
	}
	return chk
}

// registerPattern adds pattern to mux, reporting ServeMux's refusal (a
// malformed or conflicting pattern) as an error instead of a panic.
func registerPattern(mux *http.ServeMux, pattern string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	mux.Handle(pattern, http.NotFoundHandler())
	return nil
}

var (
	openAPIMethods  = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}
	openAPIVersion  = regexp.MustCompile(`^3\.1\.\d+(-.+)?$`)
	openAPIStatus   = regexp.MustCompile(`^([1-5][0-9][0-9]|[1-5]XX|default)$`)
	openAPITemplate = regexp.MustCompile(`\{([^{}/]+)\}`)
	openAPIParamIn  = []string{"query", "header", "path", "cookie"}
)

// pointer is the JSON pointer of the path of keys.
func pointer(keys ...string) string {
	var b strings.Builder
	b.WriteByte('#')
	for _, k := range keys {
		k = strings.ReplaceAll(k, "~", "~0")
		k = strings.ReplaceAll(k, "/", "~1")
		b.WriteByte('/')
		b.WriteString(url.PathEscape(k))
	}
	return b.String()
}

// schema compiles the schema at ptr (cached).
func (c *openAPIChecker) schema(ptr string) (*jsonschema.Schema, error) {
	if s, ok := c.schemas[ptr]; ok {
		return s, nil
	}
	s, err := c.compiler.Compile(openAPIURL + ptr)
	if err != nil {
		return nil, err
	}
	c.schemas[ptr] = s
	return s, nil
}

// ValidateDocument returns every rule of OpenAPI 3.1 the document breaks.
func (c *openAPIChecker) ValidateDocument() []error {
	var errs []error
	fail := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if v, _ := c.doc["openapi"].(string); !openAPIVersion.MatchString(v) {
		fail("openapi %q: want 3.1.x", c.doc["openapi"])
	}
	info, _ := c.doc["info"].(map[string]any)
	for _, k := range []string{"title", "version"} {
		if s, _ := info[k].(string); s == "" {
			fail("info.%s: missing", k)
		}
	}
	if comps, ok := c.doc["components"].(map[string]any); ok {
		schemas, _ := comps["schemas"].(map[string]any)
		for name := range schemas {
			if _, err := c.schema(pointer("components", "schemas", name)); err != nil {
				fail("components.schemas.%s: %v", name, err)
			}
		}
	}
	paths, ok := c.doc["paths"].(map[string]any)
	if !ok || len(paths) == 0 {
		fail("paths: missing or empty")
	}
	operationIDs := map[string]string{}
	for path, v := range paths {
		if !strings.HasPrefix(path, "/") {
			fail("paths: %q does not start with /", path)
		}
		item, ok := v.(map[string]any)
		if !ok {
			fail("paths.%s: not an object", path)
			continue
		}
		for key, opv := range item {
			switch {
			case key == "summary" || key == "description" || key == "parameters" || strings.HasPrefix(key, "x-"):
				continue
			case !slices.Contains(openAPIMethods, key):
				fail("paths.%s.%s: not an HTTP method", path, key)
				continue
			}
			op, ok := opv.(map[string]any)
			if !ok {
				fail("paths.%s.%s: not an object", path, key)
				continue
			}
			where := strings.ToUpper(key) + " " + path
			if id, _ := op["operationId"].(string); id != "" {
				if other, dup := operationIDs[id]; dup {
					fail("%s: operationId %q is %s's too", where, id, other)
				}
				operationIDs[id] = where
			}
			errs = append(errs, c.checkParameters(where, path, key, op)...)
			errs = append(errs, c.checkResponses(where, path, key, op)...)
		}
	}
	return errs
}

func (c *openAPIChecker) checkParameters(where, path, method string, op map[string]any) []error {
	var errs []error
	declared := map[string]bool{}
	params, _ := op["parameters"].([]any)
	for i, pv := range params {
		p, _ := pv.(map[string]any)
		name, _ := p["name"].(string)
		in, _ := p["in"].(string)
		if name == "" || !slices.Contains(openAPIParamIn, in) {
			errs = append(errs, fmt.Errorf("%s: parameter %d: want a name and in one of %v", where, i, openAPIParamIn))
			continue
		}
		if _, hasSchema := p["schema"]; !hasSchema {
			errs = append(errs, fmt.Errorf("%s: parameter %s: no schema", where, name))
		} else if _, err := c.schema(pointer("paths", path, method, "parameters", fmt.Sprint(i), "schema")); err != nil {
			errs = append(errs, fmt.Errorf("%s: parameter %s: %v", where, name, err))
		}
		if in == "path" {
			declared[name] = true
			if req, _ := p["required"].(bool); !req {
				errs = append(errs, fmt.Errorf("%s: path parameter %s: must be required", where, name))
			}
		}
	}
	inTemplate := map[string]bool{}
	for _, m := range openAPITemplate.FindAllStringSubmatch(path, -1) {
		inTemplate[m[1]] = true
		if !declared[m[1]] {
			errs = append(errs, fmt.Errorf("%s: {%s} is not a declared path parameter", where, m[1]))
		}
	}
	for name := range declared {
		if !inTemplate[name] {
			errs = append(errs, fmt.Errorf("%s: path parameter %s is not in the path", where, name))
		}
	}
	return errs
}

func (c *openAPIChecker) checkResponses(where, path, method string, op map[string]any) []error {
	var errs []error
	responses, _ := op["responses"].(map[string]any)
	if len(responses) == 0 {
		return []error{fmt.Errorf("%s: no responses", where)}
	}
	for status, rv := range responses {
		if !openAPIStatus.MatchString(status) {
			errs = append(errs, fmt.Errorf("%s: response %q: want a status, a range such as 4XX, or default", where, status))
		}
		r, _ := rv.(map[string]any)
		if d, ok := r["description"].(string); !ok || d == "" {
			errs = append(errs, fmt.Errorf("%s: response %s: no description", where, status))
		}
		content, _ := r["content"].(map[string]any)
		for media, mv := range content {
			if _, _, err := mime.ParseMediaType(media); err != nil {
				errs = append(errs, fmt.Errorf("%s: response %s: media type %q: %v", where, status, media, err))
			}
			if m, _ := mv.(map[string]any); m["schema"] != nil {
				if _, err := c.schema(pointer("paths", path, method, "responses", status, "content", media, "schema")); err != nil {
					errs = append(errs, fmt.Errorf("%s: response %s %s: %v", where, status, media, err))
				}
			}
		}
	}
	return errs
}

// ValidateResponse returns how an answer to req (its status, Content-Type
// and body) departs from the document: an undocumented path, status or
// media type, or a JSON body its schema refuses.
func (c *openAPIChecker) ValidateResponse(req *http.Request, status int, contentType string, body []byte) []error {
	_, pattern := c.mux.Handler(req)
	method, path, ok := strings.Cut(pattern, " ")
	if !ok || pattern == "" {
		return []error{fmt.Errorf("%s %s: no documented operation", req.Method, req.URL.Path)}
	}
	method = strings.ToLower(method)
	op, _ := c.doc["paths"].(map[string]any)[path].(map[string]any)[method].(map[string]any)
	responses, _ := op["responses"].(map[string]any)
	key := ""
	for _, k := range []string{fmt.Sprint(status), fmt.Sprintf("%dXX", status/100), "default"} {
		if _, ok := responses[k]; ok {
			key = k
			break
		}
	}
	if key == "" {
		return []error{fmt.Errorf("%s: status %d is not documented", pattern, status)}
	}
	content, _ := responses[key].(map[string]any)["content"].(map[string]any)
	if len(content) == 0 {
		if len(body) > 0 {
			return []error{fmt.Errorf("%s: status %d: a body where the document says none", pattern, status)}
		}
		return nil
	}
	media, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return []error{fmt.Errorf("%s: status %d: Content-Type %q: %v", pattern, status, contentType, err)}
	}
	if _, ok := content[media]; !ok {
		return []error{fmt.Errorf("%s: status %d: media type %s is not documented", pattern, status, media)}
	}
	if media != "application/json" && !strings.HasSuffix(media, "+json") {
		return nil // only JSON bodies have schemas to check here
	}
	s, err := c.schema(pointer("paths", path, method, "responses", key, "content", media, "schema"))
	if err != nil {
		return []error{fmt.Errorf("%s: status %d: the schema: %v", pattern, status, err)}
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(body))
	if err != nil {
		return []error{fmt.Errorf("%s: status %d: the body is not JSON: %v", pattern, status, err)}
	}
	if err := s.Validate(v); err != nil {
		var ve *jsonschema.ValidationError
		if errors.As(err, &ve) {
			return []error{fmt.Errorf("%s: status %d: %v", pattern, status, ve)}
		}
		return []error{err}
	}
	return nil
}

// TestOpenAPICheckerCatchesDocumentErrors: the document check does refuse
// what breaks OpenAPI (so that TestOpenAPIDocumentIsValid can fail).
func TestOpenAPICheckerCatchesDocumentErrors(t *testing.T) {
	valid := func() map[string]any {
		return map[string]any{
			"openapi": "3.1.0",
			"info":    map[string]any{"title": "t", "version": "1"},
			"paths": map[string]any{
				"/a/{id}": map[string]any{"get": map[string]any{
					"operationId": "a",
					"parameters":  []any{map[string]any{"name": "id", "in": "path", "required": true, "schema": map[string]any{"type": "string"}}},
					"responses": map[string]any{"200": map[string]any{"description": "OK", "content": map[string]any{
						"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/A"}}}}},
				}},
			},
			"components": map[string]any{"schemas": map[string]any{"A": map[string]any{"type": "object"}}},
		}
	}
	encode := func(d map[string]any) []byte {
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	if errs := newOpenAPIChecker(t, encode(valid())).ValidateDocument(); len(errs) > 0 {
		t.Fatalf("the valid document is refused: %v", errs)
	}
	op := func(d map[string]any) map[string]any {
		return d["paths"].(map[string]any)["/a/{id}"].(map[string]any)["get"].(map[string]any)
	}
	for _, tc := range []struct {
		name   string
		break_ func(d map[string]any)
		want   string
	}{
		{"version", func(d map[string]any) { d["openapi"] = "3.0.3" }, "want 3.1.x"},
		{"title", func(d map[string]any) { delete(d["info"].(map[string]any), "title") }, "info.title"},
		{"undeclared path parameter", func(d map[string]any) { op(d)["parameters"] = []any{} }, "{id} is not a declared path parameter"},
		{"optional path parameter", func(d map[string]any) {
			op(d)["parameters"].([]any)[0].(map[string]any)["required"] = false
		}, "must be required"},
		{"dangling reference", func(d map[string]any) { delete(d["components"].(map[string]any)["schemas"].(map[string]any), "A") }, "components/schemas/A"},
		{"invalid schema", func(d map[string]any) {
			d["components"].(map[string]any)["schemas"].(map[string]any)["A"] = map[string]any{"type": "objet"}
		}, "components.schemas.A"},
		{"status", func(d map[string]any) {
			op(d)["responses"].(map[string]any)["2xx"] = map[string]any{"description": "x"}
		}, `response "2xx"`},
		{"no description", func(d map[string]any) {
			delete(op(d)["responses"].(map[string]any)["200"].(map[string]any), "description")
		}, "no description"},
		{"no responses", func(d map[string]any) { op(d)["responses"] = map[string]any{} }, "no responses"},
		{"not a method", func(d map[string]any) {
			d["paths"].(map[string]any)["/a/{id}"].(map[string]any)["fetch"] = map[string]any{}
		}, "not an HTTP method"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := valid()
			tc.break_(d)
			errs := newOpenAPIChecker(t, encode(d)).ValidateDocument()
			if !strings.Contains(fmt.Sprint(errs), tc.want) {
				t.Errorf("errors %v, want one saying %q", errs, tc.want)
			}
		})
	}
}
