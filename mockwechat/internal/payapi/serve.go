package payapi

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
)

// ServeHTTP serves one request and records it.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c := &call{r: r, now: h.now(), target: requestTarget(r)}
	a := h.serve(c)
	var signer string
	if !a.drop {
		signer = h.write(w, r, a)
	}
	if h.o.Recorder != nil {
		h.record(c, w, a, signer, start)
	}
	if a.drop {
		drop(w)
	}
}

// record hands the call, as answered, to the Recorder.
func (h *Handler) record(c *call, w http.ResponseWriter, a answer, signer string, start time.Time) {
	r := c.r
	rec := c.rec
	rec.Time, rec.Method, rec.Target, rec.MchID = c.now, r.Method, c.target, c.mchid
	if c.ep != nil {
		rec.Endpoint = c.ep.name
	}
	rec.Status, rec.RequestID, rec.Signer, rec.Latency, rec.Fault = a.status, w.Header().Get(apiv3.HeaderRequestID), signer, time.Since(start), c.fault
	if c.ep != nil && c.ep.upload {
		rec.Body, rec.FileSize = c.signed, len(c.file)
	} else {
		rec.Body = c.body
	}
	if !a.unsigned {
		rec.Answer = a.body
	}
	if a.err != nil {
		rec.Code, rec.Message = a.err.Code, a.err.Message
	}
	h.o.Recorder.Record(rec)
}

// requestTarget returns the request-target as the client sent it (and
// signed it): the request line's, or for an absolute-form target its path
// and query.
func requestTarget(r *http.Request) string {
	t := r.RequestURI
	if t == "" || !strings.HasPrefix(t, "/") {
		t = r.URL.RequestURI()
		if r.URL.ForceQuery && r.URL.RawQuery == "" && !strings.HasSuffix(t, "?") {
			t += "?"
		}
	}
	return t
}

// serve runs the checks every endpoint shares, in WeChat's order, then the
// endpoint.
func (h *Handler) serve(c *call) answer {
	ep, id, allowed := route(c.r.Method, c.r.URL.EscapedPath())
	if ep == nil {
		if allowed != "" {
			return fail(&apiv3.Error{StatusCode: http.StatusMethodNotAllowed, Code: apiv3.CodeInvalidRequest, Message: "请求方法不正确",
				Detail: &apiv3.ErrorDetail{Issue: fmt.Sprintf("%s does not take %s: use %s", c.r.URL.Path, clip(c.r.Method, 16), allowed)}})
		}
		return fail(&apiv3.Error{StatusCode: http.StatusNotFound, Code: codeNotFound, Message: "请求的接口不存在",
			Detail: &apiv3.ErrorDetail{Issue: fmt.Sprintf("the fake serves no %s %s: it plays the Complaints 2.0 endpoints and %s", clip(c.r.Method, 16), clip(c.r.URL.Path, 200), apiv3.PathCertificates)}})
	}
	c.ep, c.id = ep, id
	limit := int64(maxBody)
	if ep.upload {
		limit = maxUpload
	}
	var body []byte
	var err error
	if c.r.Body != nil {
		body, err = io.ReadAll(io.LimitReader(c.r.Body, limit+1))
	}
	if err != nil {
		return fail(&apiv3.Error{StatusCode: http.StatusBadRequest, Code: apiv3.CodeInvalidRequest, Message: "读取请求报文失败",
			Detail: &apiv3.ErrorDetail{Issue: err.Error()}})
	}
	if int64(len(body)) > limit {
		return fail(&apiv3.Error{StatusCode: http.StatusRequestEntityTooLarge, Code: apiv3.CodeInvalidRequest, Message: "请求报文过大",
			Detail: &apiv3.ErrorDetail{Issue: fmt.Sprintf("the body is over %d bytes", limit)}})
	}
	c.body, c.signed = body, body
	if e := checkHeaders(c.r, ep.upload); e != nil {
		return fail(e)
	}
	if ep.upload {
		up, e := parseUpload(c.r.Header.Get("Content-Type"), body)
		if e != nil {
			return fail(e)
		}
		c.signed, c.file = up.meta, up.file
	}
	if e := h.authenticate(c); e != nil {
		return fail(e)
	}
	if !h.limits.allow(c.mchid, ep.name, c.now) {
		return fail(&apiv3.Error{StatusCode: http.StatusTooManyRequests, Code: apiv3.CodeFrequencyLimited, Message: "请求过于频繁，请稍后再试",
			Detail: &apiv3.ErrorDetail{Issue: fmt.Sprintf("over the %s a minute of %s for merchant %s", h.limits.describe(ep.name), ep.name, c.mchid)}})
	}
	if h.o.Faults != nil {
		if p, ok := h.o.Faults.TakePayAPI(c.mchid, ep.name); ok {
			c.fault = p.String()
			if a, answered := applyFault(c, p); answered {
				return a
			}
		}
	}
	return ep.serve(h, c)
}

// checkHeaders refuses a request without Accept (but an upload) or
// User-Agent, as WeChat does: INVALID_REQUEST "头部信息不完整".
func checkHeaders(r *http.Request, upload bool) *apiv3.Error {
	var missing []string
	if r.Header.Get("Accept") == "" && !upload {
		missing = append(missing, "Accept")
	}
	if r.Header.Get("User-Agent") == "" {
		missing = append(missing, "User-Agent")
	}
	if missing == nil {
		return nil
	}
	return &apiv3.Error{StatusCode: http.StatusBadRequest, Code: apiv3.CodeInvalidRequest, Message: "头部信息不完整",
		Detail: &apiv3.ErrorDetail{Location: "header", Issue: strings.Join(missing, " and ") + " missing: WeChat requires Accept (application/json) and User-Agent"}}
}

// write answers a: the Request-ID, the Content-Type, and the signature of
// the key the request's Wechatpay-Serial asks for (none for an image). It
// returns the serial that signed ("" unsigned).
func (h *Handler) write(w http.ResponseWriter, r *http.Request, a answer) string {
	hdr := w.Header()
	hdr[apiv3.HeaderRequestID] = []string{h.requestID()}
	if a.body != nil {
		ct := a.contentType
		if ct == "" {
			ct = "application/json; charset=utf-8"
		}
		hdr["Content-Type"] = []string{ct}
		hdr["Content-Length"] = []string{strconv.Itoa(len(a.body))}
	}
	var serial string
	if !a.unsigned {
		s := a.signer
		if s == nil {
			s = h.o.Signing.Answer(r.Header.Get(apiv3.HeaderSerial))
		}
		if err := s.SignHeaders(hdr, a.body); err == nil {
			serial = s.Serial()
		}
	}
	w.WriteHeader(a.status)
	w.Write(a.body)
	return serial
}

// requestID returns a Request-ID of WeChat's form (hexadecimal, "-0").
func (h *Handler) requestID() string {
	return h.reqID + fmt.Sprintf("%016X-0", h.seq.Add(1))
}
