package payfeedback_test

import (
	"context"
	"net/http"
	"sync"
	"testing"

	"github.com/payfeedback/payfeedback"
)

// callLog collects the observations of a Client.
type callLog struct {
	mu  sync.Mutex
	all []payfeedback.CallObservation
}

func (l *callLog) ObserveCall(o payfeedback.CallObservation) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, o)
}

// TestClientMetrics: one observation per HTTP request, with its endpoint,
// status, errcode, attempt and error.
func TestClientMetrics(t *testing.T) {
	type obs struct {
		endpoint string
		status   int
		code     payfeedback.ErrorCode
		attempt  int
		failed   bool
	}
	const (
		tok = payfeedback.PathToken
		upd = payfeedback.PathUpdateFeedback
	)
	tests := []struct {
		name   string
		script []string
		policy payfeedback.RetryPolicy
		want   []obs
	}{
		{"success", nil, payfeedback.RetryPolicy{}, []obs{{tok, 200, 0, 1, false}, {upd, 200, 0, 1, false}}},
		{"token renewed", []string{"200 0", "200 42001"}, payfeedback.RetryPolicy{},
			[]obs{{tok, 200, 0, 1, false}, {upd, 200, 42001, 1, true}, {tok, 200, 0, 1, false}, {upd, 200, 0, 1, false}}},
		{"retried", []string{"200 0", "503 0", "200 -1"}, fastRetry,
			[]obs{{tok, 200, 0, 1, false}, {upd, 503, 0, 1, true}, {upd, 200, -1, 2, true}, {upd, 200, 0, 3, false}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var log callLog
			c := scriptedClient(t, &answers{script: tt.script}, payfeedback.ClientOptions{Metrics: &log, Retry: tt.policy})
			if err := c.UpdateFeedback(context.Background(), "o", "1"); err != nil {
				t.Fatal(err)
			}
			if len(log.all) != len(tt.want) {
				t.Fatalf("%d observations, want %d: %+v", len(log.all), len(tt.want), log.all)
			}
			for i, o := range log.all {
				got := obs{o.Endpoint, o.Status, o.Code, o.Attempt, o.Err != nil}
				if got != tt.want[i] {
					t.Errorf("observation %d: %+v, want %+v", i, got, tt.want[i])
				}
				if o.Latency <= 0 {
					t.Errorf("observation %d: latency %v", i, o.Latency)
				}
			}
		})
	}
	t.Run("no answer", func(t *testing.T) {
		var log callLog
		abort := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { panic(http.ErrAbortHandler) })
		err := scriptedClient(t, abort, payfeedback.ClientOptions{Metrics: &log}).UpdateFeedback(context.Background(), "o", "1")
		if err == nil || len(log.all) != 1 {
			t.Fatalf("UpdateFeedback: %v with %d observations, want an error and 1", err, len(log.all))
		}
		if o := log.all[0]; o.Status != 0 || o.Code != 0 || o.Err == nil || o.Endpoint != payfeedback.PathToken {
			t.Errorf("observation %+v, want status 0 and the transport error", o)
		}
	})
}
