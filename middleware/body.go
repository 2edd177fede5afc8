package middleware

import (
	"errors"
	"io"
	"net/http"

	"github.com/payfeedback/payfeedback"
)

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
