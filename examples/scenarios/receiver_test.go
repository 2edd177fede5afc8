package scenarios

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/apiv3"
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

// newPayReceiver is a merchant's Complaints 2.0 callback endpoint: it
// verifies each callback with the keys the fake gave (on the clock now),
// decrypts it with the APIv3 key, sends its action_type to got and
// answers 204; it refuses (401) what does not verify. It returns its URL.
func newPayReceiver(t *testing.T, keys *apiv3.MerchantKeys, now func() time.Time, got chan<- string) string {
	verifier, err := keys.Verifier(now)
	if err != nil {
		t.Fatal(err)
	}
	aead, err := apiv3.NewAEAD(keys.APIv3Key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var plain struct {
			ActionType string `json:"action_type"`
		}
		err := verifier.Verify(apiv3.SignatureHeadersOf(r.Header), body)
		if err == nil {
			var n *apiv3.Notification
			if n, err = apiv3.ParseNotification(body); err == nil {
				var b []byte
				if b, err = aead.OpenResource(&n.Resource); err == nil {
					err = json.Unmarshal(b, &plain)
				}
			}
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		got <- plain.ActionType
		w.WriteHeader(http.StatusNoContent)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}
