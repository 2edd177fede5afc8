package scenarios

import (
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/payfeedback/payfeedback"
)

// newReceiver is a merchant endpoint that keeps the notifications it
// verified with key; it returns its URL.
func newReceiver(t *testing.T, key string, got *[]*payfeedback.Notification) string {
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		n, err := payfeedback.ParseNotification(b)
		if err == nil {
			err = n.Verify(key)
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		mu.Lock()
		*got = append(*got, n)
		mu.Unlock()
		io.WriteString(w, "success")
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
