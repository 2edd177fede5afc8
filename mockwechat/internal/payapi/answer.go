package payapi

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/internal/text"
)

// answer is what a request is answered.
type answer struct {
	status      int
	body        []byte // nil: none (204)
	contentType string // "": JSON
	unsigned    bool   // an image download
	// signer signs the answer instead of the one the mode and the
	// request's Wechatpay-Serial choose (nil: those).
	signer *apiv3.Signer
	err    *apiv3.Error
	// drop: close the connection without answering (a fault).
	drop bool
}

// ok answers 200 with v's JSON.
func ok(v any) answer { return answer{status: http.StatusOK, body: encodeJSON(v)} }

// noContent answers 204.
func noContent() answer { return answer{status: http.StatusNoContent} }

// codeNotFound answers a path the fake does not serve (WeChat's code for it
// is not documented).
const codeNotFound apiv3.Code = "NOT_FOUND"

// fail answers an error.
func fail(e *apiv3.Error) answer {
	return answer{status: e.StatusCode, body: encodeJSON(e), err: e}
}

// clip shortens a peer's text for messages, printable.
func clip(s string, n int) string { return text.Terminal(text.Clip(s, n)) }

// encodeJSON encodes v as WeChat writes it: no HTML escaping, no trailing
// newline. The values encoded here always encode.
func encodeJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("payapi: encode an answer: " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// paramError is a 400 PARAM_ERROR on field (a JSON pointer for the body,
// a name for the query) at location.
func paramError(field, location, message, issue string) *apiv3.Error {
	return &apiv3.Error{StatusCode: http.StatusBadRequest, Code: apiv3.CodeParamError, Message: message,
		Detail: &apiv3.ErrorDetail{Field: field, Location: location, Issue: issue}}
}
