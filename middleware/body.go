package middleware

import (
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/payfeedback/payfeedback"
)

// read reads the bounded body and decodes it.
func (v *verifier) read(w http.ResponseWriter, r *http.Request) (*payfeedback.Notification, *Error) {
	if r.ContentLength > v.maxBody {
		w.Header()["Connection"] = []string{"close"}
		return nil, tooLarge(v.maxBody)
	}
	bp := v.bufs.Get().(*[]byte)
	body, err := readBody(r.Body, *bp, r.ContentLength, v.maxBody)
	var n *payfeedback.Notification
	if err == nil {
		// ParseNotification copies what it keeps (TestNotificationOutlivesBody
		// holds it to that), so the buffer is reused at once.
		n, err = payfeedback.ParseNotification(body)
	}
	*bp = body[:0]
	v.bufs.Put(bp)
	if err == nil {
		return n, nil
	}
	if errors.Is(err, payfeedback.ErrTooLarge) {
		w.Header()["Connection"] = []string{"close"}
		return nil, tooLarge(v.maxBody)
	}
	var de *payfeedback.DecodeError
	if !errors.As(err, &de) {
		return nil, &Error{Status: http.StatusBadRequest, Reason: "cannot read the body", Err: err}
	}
	if errors.Is(err, payfeedback.ErrMissingElement) && de.Element == "AppSignature" {
		return nil, &Error{Status: http.StatusUnauthorized, Reason: "AppSignature missing",
			Err: fmt.Errorf("%w: %w", payfeedback.ErrMissingSignature, err)}
	}
	return nil, &Error{Status: http.StatusBadRequest, Reason: err.Error(), Err: err}
}

func tooLarge(limit int64) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge,
		Reason: fmt.Sprintf("body larger than %d bytes", limit), Err: payfeedback.ErrTooLarge}
}

// readBody reads rd into buf (from its length 0), refusing more than limit
// bytes: it never reads more than limit+1.
func readBody(rd io.Reader, buf []byte, contentLength, limit int64) ([]byte, error) {
	if rd == nil {
		return buf[:0], nil
	}
	buf = buf[:0]
	if contentLength >= 0 && int64(cap(buf)) <= contentLength {
		buf = make([]byte, 0, contentLength+1)
	}
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		room := buf[len(buf):cap(buf)]
		if over := int64(len(buf)) + int64(len(room)) - (limit + 1); over > 0 {
			room = room[:int64(len(room))-over]
		}
		k, err := rd.Read(room)
		buf = buf[:len(buf)+k]
		if int64(len(buf)) > limit {
			return buf, payfeedback.ErrTooLarge
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			var mbe *http.MaxBytesError
			if errors.As(err, &mbe) {
				return buf, payfeedback.ErrTooLarge
			}
			return buf, err
		}
	}
}
