package mockwechat

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback"
)

const (
	codeSystemError = payfeedback.CodeSystemError
	// maxAPIBody bounds the JSON body of custom/send and delivernotify.
	maxAPIBody = 1 << 20
	// bodyExcerpt is how much of a request body the call log keeps.
	bodyExcerpt = 1024
	// jsonContentType is what the live API answered.
	jsonContentType = "application/json; encoding=utf-8"
)

// Codes the fake answers beyond PROTOCOL §10 (media upload), with the
// live API's wording.
const (
	codeInvalidMediaType payfeedback.ErrorCode = 40004
	codeInvalidMediaSize payfeedback.ErrorCode = 40006
	codeMediaMissing     payfeedback.ErrorCode = 41005
)

// errmsg returns the live API's errmsg for code, with the fake's hint in
// the live API's own " hint: [...]" form.
func errmsg(code payfeedback.ErrorCode, hint string) string {
	msg := code.Message()
	switch code {
	case codeInvalidMediaType:
		msg = "invalid media type"
	case codeInvalidMediaSize:
		msg = "invalid meida size"
	case codeMediaMissing:
		msg = "media data missing"
	}
	if msg == "" {
		msg = "error"
	}
	if hint != "" {
		msg += " hint: [" + hint + "]"
	}
	return msg
}

type errBody struct {
	ErrCode payfeedback.ErrorCode `json:"errcode"`
	ErrMsg  string                `json:"errmsg"`
}

func errorJSON(code payfeedback.ErrorCode, hint string) []byte {
	b, _ := json.Marshal(errBody{code, errmsg(code, hint)})
	return b
}

var okBody = []byte(`{"errcode":0,"errmsg":"ok"}`)

func writeJSONError(w http.ResponseWriter, status int, code payfeedback.ErrorCode, hint string) {
	w.Header().Set("Content-Type", jsonContentType)
	w.WriteHeader(status)
	w.Write(errorJSON(code, hint))
}

// apiCall is one call of an API endpoint being served.
type apiCall struct {
	s        *Server
	w        http.ResponseWriter
	r        *http.Request
	endpoint string
	query    url.Values
	body     []byte
	appID    string
	now      time.Time
}

// response is what a handler answers: an error code with a hint, or a
// success body.
type response struct {
	code   payfeedback.ErrorCode
	hint   string
	body   []byte // answered as is when set
	status int    // 0: 200
	text   bool   // body is text/plain (an injected gateway error)
	// dropped: the connection was closed without an answer; abort: it
	// could not be hijacked, so the handler aborts after logging.
	dropped, abort bool
}

func fail(code payfeedback.ErrorCode, hint string) response {
	return response{code: code, hint: hint}
}

type apiHandler func(c *apiCall) response

// serveAPI wraps every API endpoint: method check, body, fault injection,
// the handler, the answer and the call log.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, endpoint, method string, h apiHandler) {
	c := &apiCall{s: s, w: w, r: r, endpoint: endpoint, query: r.URL.Query(), now: s.sched.now()}
	call := Call{Time: c.now, Endpoint: endpoint, Method: r.Method}
	resp := s.serveCall(c, method, h, &call)
	call.AppID = c.appID
	call.Query = c.query
	if sec := call.Query["secret"]; len(sec) > 0 {
		call.Query["secret"] = []string{maskedSecret}
	}
	call.Body = excerpt(c.body, bodyExcerpt)
	call.ErrCode = resp.code
	call.Status = resp.status
	if call.Status == 0 {
		call.Status = http.StatusOK
	}
	if resp.dropped {
		call.Status = 0
	} else {
		call.Answer = excerpt(s.write(w, resp), bodyExcerpt)
	}
	s.calls.add(call)
	s.changes.notify()
	if resp.abort {
		panic(http.ErrAbortHandler)
	}
}

// maskedSecret replaces the appSecret in the call log.
const maskedSecret = "***"

func (s *Server) serveCall(c *apiCall, method string, h apiHandler, call *Call) response {
	if c.r.Method != method {
		c.w.Header().Set("Allow", method)
		return response{code: codeSystemError, status: http.StatusMethodNotAllowed,
			hint: "method " + clip(c.r.Method, 16) + " not allowed on " + c.endpoint + ", use " + method}
	}
	if c.endpoint == PathToken {
		c.appID = c.query.Get("appid")
	} else if t := s.lookupToken(c.query.Get("access_token")); t != nil {
		c.appID = t.appID
	}
	if c.endpoint == PathCustomSend || c.endpoint == PathDeliverNotify {
		body, err := io.ReadAll(http.MaxBytesReader(c.w, c.r.Body, maxAPIBody))
		c.body = body
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return fail(payfeedback.CodeDataFormat, "body larger than "+strconv.Itoa(maxAPIBody)+" bytes")
			}
			return fail(codeSystemError, "reading the body: "+err.Error())
		}
	}
	if f, ok := s.faults.takeAPI(c.endpoint, c.appID); ok {
		call.Fault = f.describe()
		if resp, handled := s.applyAPIFault(c, f); handled {
			return resp
		}
	}
	return h(c)
}

// write answers resp and returns the body written.
func (s *Server) write(w http.ResponseWriter, resp response) []byte {
	status := resp.status
	if status == 0 {
		status = http.StatusOK
	}
	body := resp.body
	if body == nil {
		if resp.code == 0 {
			body = okBody
		} else {
			body = errorJSON(resp.code, resp.hint)
		}
	}
	h := w.Header()
	if resp.text {
		h["Content-Type"] = []string{"text/plain; charset=utf-8"}
	} else {
		h["Content-Type"] = []string{jsonContentType}
	}
	h["Content-Length"] = []string{strconv.Itoa(len(body))}
	w.WriteHeader(status)
	w.Write(body)
	return body
}

// serveUnknown answers a path the API does not have: HTTP 404 with
// errcode -1, recorded in the call log.
func (s *Server) serveUnknown(w http.ResponseWriter, r *http.Request) {
	path := clip(r.URL.Path, 256)
	resp := response{code: codeSystemError, status: http.StatusNotFound,
		hint: "mock: no such API " + path}
	answer := s.write(w, resp)
	s.calls.add(Call{Time: s.sched.now(), Endpoint: path, Method: r.Method, Query: r.URL.Query(),
		ErrCode: resp.code, Status: resp.status, Answer: answer})
	s.changes.notify()
}

func excerpt(b []byte, n int) []byte {
	if len(b) == 0 {
		return nil
	}
	if len(b) > n {
		return append([]byte(nil), b[:n]...)
	}
	return b
}

// clip shortens s to at most n bytes for messages.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
