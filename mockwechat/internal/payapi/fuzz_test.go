package payapi

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// FuzzParseUpload: any body and Content-Type parse or are refused as a
// parameter error, never a panic; what parses has both parts, the meta
// bounded.
func FuzzParseUpload(f *testing.F) {
	m, _ := complaints.NewUploadMeta("shot.png", png)
	for _, parts := range [][][3]string{
		{{"meta", "", string(m.JSON())}, {"file", "shot.png", string(png)}},
		{{"file", "shot.png", string(png)}, {"meta", "", string(m.JSON())}},
		{{"meta", "", "{}"}},
	} {
		body, ct := formBytes(parts)
		f.Add(ct, body)
	}
	f.Add("multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"meta\"\r\n\r\n{}\r\n--x--"))
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		up, e := parseUpload(contentType, body)
		if e != nil {
			if e.Code != apiv3.CodeParamError || e.StatusCode != http.StatusBadRequest {
				t.Fatalf("refused with %v", e)
			}
			return
		}
		if up.meta == nil || up.file == nil || len(up.meta) > maxMeta {
			t.Fatalf("parsed without its parts: meta %d bytes, file %v", len(up.meta), up.file != nil)
		}
	})
}

// FuzzDecodeBody: any body decodes into each request type or is refused
// as a parameter error; what decodes has no member the type does not
// declare, and its Validate's refusal makes a well-formed PARAM_ERROR.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []string{
		`{"complainted_mchid":"1900000109","response_content":"好","response_images":["a"]}`,
		`{"complainted_mchid":"1900000109","message":{"blocks":[{"type":"TEXT","text":{"text":"x"}}]},"idempotent_id":"i"}`,
		`{"action":"APPROVE","launch_refund_day":1}`,
		`{"url":"https://example.com/cb"}`,
		`{"complainted_mchid":1}`, `[]`, `null`, `{"a":{"b":[1,2,{"c":null}]}}`, "",
	} {
		f.Add([]byte(s))
	}
	h := newFake(f, paykeys.ModePublicKey, Options{}).handler
	f.Fuzz(func(t *testing.T, body []byte) {
		check := func(e *apiv3.Error, validate func() error) {
			if e != nil {
				if e.Code != apiv3.CodeParamError || e.Detail == nil || e.Detail.Location != "body" {
					t.Fatalf("refused with %+v", e)
				}
				return
			}
			var members map[string]json.RawMessage
			if json.Unmarshal(body, &members) != nil {
				t.Fatalf("decoded %q, which is not an object", body)
			}
			if err := validate(); err != nil {
				var v *complaints.ValidationError
				if !errors.As(err, &v) {
					t.Fatalf("Validate: %v", err)
				}
				a := validationAnswer(v, "body", body)
				if a.Code != apiv3.CodeParamError || !strings.HasPrefix(a.Detail.Field, "/") || !strings.HasPrefix(a.Message, "输入源“") {
					t.Fatalf("answer %+v", a)
				}
			}
		}
		r1, e := decodeRequest[complaints.ResponseRequest](h, body)
		check(e, r1.Validate)
		r2, e := decodeRequest[complaints.ImmediateServiceRequest](h, body)
		check(e, r2.Validate)
		r3, e := decodeRequest[complaints.RefundProgressRequest](h, body)
		check(e, r3.Validate)
		r4, e := decodeRequest[complaints.NotificationURLRequest](h, body)
		check(e, r4.Validate)
		r5, e := decodeRequest[complaints.CompleteRequest](h, body)
		check(e, r5.Validate)
	})
}

// FuzzServe: any request gets an answer of a known status, in WeChat's
// error shape unless a success. It calls the handler's checks and
// endpoints without writing the answer: signing each answer (an RSA
// private-key operation, very slow under the fuzzer's instrumentation)
// would leave the fuzzer a handful of executions a minute; the unit tests
// check that every answer is signed.
func FuzzServe(f *testing.F) {
	fk := newFake(f, paykeys.ModeSwitch, Options{})
	id := fk.file(f, payworld.FileSpec{}).ID()
	for _, c := range []struct{ method, target, body string }{
		{"GET", complaints.PathComplaint(id), ""},
		{"POST", complaints.PathResponse(id), `{"complainted_mchid":"1900000109","response_content":"好"}`},
		{"GET", complaints.PathComplaints + "?begin_date=2025-01-01&end_date=2025-01-02", ""},
		{"DELETE", complaints.PathNotifications, "null\n"},
		{"GET", "/v3/merchant-service/images/a%2Fb%3D%3D", ""},
		{"PUT", "/v3/x?", "{"},
	} {
		req := signedRequest(f, fk, c.method, c.target, []byte(c.body))
		f.Add(c.method, c.target, c.body, req.Header.Get("Authorization"))
	}
	f.Fuzz(func(t *testing.T, method, target, body, auth string) {
		u, err := url.ParseRequestURI(target)
		if err != nil || method == "" || strings.ContainsAny(method, " \t\r\n") {
			return // net/http refuses these before any handler
		}
		req := &http.Request{Method: method, URL: u, RequestURI: target, Header: http.Header{}, Body: io.NopCloser(strings.NewReader(body)), Host: "fake"}
		req.Header.Set("Accept", "application/json")
		req.Header.Set("User-Agent", "fuzz")
		req.Header.Set("Authorization", auth)
		a := fk.handler.serve(&call{r: req, now: fk.clock.now(), target: requestTarget(req)})
		switch {
		case a.status < 200 || a.status > 503:
			t.Fatalf("status %d", a.status)
		case a.unsigned:
			if a.status != http.StatusOK {
				t.Fatalf("an unsigned %d answer", a.status)
			}
		case a.status >= 300:
			var e apiv3.Error
			if a.err == nil || json.Unmarshal(a.body, &e) != nil || e.Code == "" || e.Message == "" || e.Code != a.err.Code {
				t.Fatalf("%d answer %q is not WeChat's error shape", a.status, a.body)
			}
		}
	})
}
