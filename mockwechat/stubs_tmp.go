package mockwechat

import (
	"net/http"

	"github.com/payfeedback/payfeedback"
)

func (s *Server) handleCustomSend(c *apiCall) response {
	return fail(payfeedback.CodeUnauthorized, "not yet")
}
func (s *Server) handleDeliverNotify(c *apiCall) response {
	return fail(payfeedback.CodeUnauthorized, "not yet")
}
func (s *Server) handleMediaUpload(c *apiCall) response {
	return fail(payfeedback.CodeUnauthorized, "not yet")
}

type mediaStore struct{}

func newMediaStore(n int) mediaStore { return mediaStore{} }

type inbox struct{}

func (s *Server) adminMux() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /_mock/health", func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte(`{"status":"ok"}`))
	})
	return m
}
