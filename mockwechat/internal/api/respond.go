package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
)

// contentType is what the live API answered.
const contentType = "application/json; encoding=utf-8"

// okBody is the success answer of the endpoints without a payload. It is
// shared, never written: the call log hands out copies.
var okBody = []byte(`{"errcode":0,"errmsg":"ok"}`)

// The Content-Type header values, shared by every answer (net/http only
// reads them).
var (
	jsonType = []string{contentType}
	textType = []string{"text/plain; charset=utf-8"}
)

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
	// silent: no answer at all; the call is held until the client gives
	// up or the fake closes (withhold).
	silent bool
}

func (r response) statusOr200() int {
	if r.status == 0 {
		return http.StatusOK
	}
	return r.status
}

func fail(code payfeedback.ErrorCode, hint string) response {
	return response{code: code, hint: hint}
}

// errmsg returns the live API's errmsg for code, with the fake's hint in
// the live API's own " hint: [...]" form.
func errmsg(code payfeedback.ErrorCode, hint string) string {
	msg := code.Message()
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

// WriteError answers a WeChat-style JSON error with an HTTP status.
func WriteError(w http.ResponseWriter, status int, code payfeedback.ErrorCode, hint string) {
	write(w, response{code: code, hint: hint, status: status})
}

// write answers resp and returns the body written.
func write(w http.ResponseWriter, resp response) []byte {
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
		h["Content-Type"] = textType
	} else {
		h["Content-Type"] = jsonType
	}
	if len(body) > 2048 { // below, net/http sets Content-Length itself
		h["Content-Length"] = []string{strconv.Itoa(len(body))}
	}
	w.WriteHeader(resp.statusOr200())
	w.Write(body)
	return body
}

// Stop ends the calls held without an answer (a silent news overflow):
// their connections are closed, still without an answer. The fake calls it
// when it begins to close, so that Close never waits for a client's
// timeout.
func (h *Handler) Stop() { h.stopOnce.Do(func() { close(h.stop) }) }

// withhold answers nothing, as the original document says WeChat does to a
// news message over the limit ("no response"): it holds the call until the
// client gives up (its timeout or context closes the connection) or the
// handler stops (the fake closes), then closes the connection without an
// answer.
func (h *Handler) withhold(c *call) {
	select {
	case <-c.r.Context().Done():
	case <-h.stop:
	}
	if hj, ok := c.w.(http.Hijacker); ok {
		if conn, _, err := hj.Hijack(); err == nil {
			conn.Close()
			return
		}
	}
	panic(http.ErrAbortHandler)
}

// applyFault carries out an API fault; answered is false when the call
// goes on (a delay alone).
func applyFault(c *call, f fault.API) (resp response, answered bool) {
	fault.Wait(c.r.Context(), f.Delay)
	switch f.Answer {
	case fault.AnswerDrop:
		resp = response{code: payfeedback.CodeSystemError, dropped: true}
		if hj, ok := c.w.(http.Hijacker); ok {
			if conn, _, err := hj.Hijack(); err == nil {
				conn.Close()
				return resp, true
			}
		}
		resp.abort = true
		return resp, true
	case fault.AnswerHTTPStatus:
		return response{code: payfeedback.CodeSystemError, status: f.Status, text: true,
			body: fmt.Appendf(nil, "mockwechat: injected HTTP %d\n", f.Status)}, true
	case fault.AnswerErrCode:
		return fail(f.Code, "mock: injected fault"), true
	}
	return response{}, false
}
