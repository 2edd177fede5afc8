package main

import (
	"net/http"
	"testing"
)

// TestHTTPServerTimeouts: the merchant's server bounds how long a client
// may take and how much header it may send (it bounded only the headers'
// time: slow bodies held connections open forever).
func TestHTTPServerTimeouts(t *testing.T) {
	srv := newHTTPServer("127.0.0.1:0", http.NotFoundHandler())
	for name, v := range map[string]int64{
		"ReadHeaderTimeout": int64(srv.ReadHeaderTimeout), "ReadTimeout": int64(srv.ReadTimeout),
		"WriteTimeout": int64(srv.WriteTimeout), "IdleTimeout": int64(srv.IdleTimeout), "MaxHeaderBytes": int64(srv.MaxHeaderBytes),
	} {
		if v <= 0 {
			t.Errorf("%s is not set: the server waits on slow clients forever", name)
		}
	}
	if srv.ReadTimeout < srv.ReadHeaderTimeout {
		t.Errorf("ReadTimeout %v is shorter than ReadHeaderTimeout %v", srv.ReadTimeout, srv.ReadHeaderTimeout)
	}
}
