package payfeedback

import "time"

// ClientMetrics receives one CallObservation per HTTP request a Client
// sends to WeChat (a call retried, or repeated with a renewed token, is
// several requests), for counters and latency histograms
// (examples/metrics exposes them to Prometheus). ObserveCall runs on the
// caller's goroutine: it must be safe for concurrent use, quick, and must
// not block.
type ClientMetrics interface {
	ObserveCall(CallObservation)
}

// ClientMetricsFunc adapts a function to ClientMetrics.
type ClientMetricsFunc func(CallObservation)

// ObserveCall implements ClientMetrics by calling f.
func (f ClientMetricsFunc) ObserveCall(o CallObservation) { f(o) }

// CallObservation is one HTTP request to WeChat and how it ended.
type CallObservation struct {
	// Endpoint is the API path called: PathToken, PathUpdateFeedback,
	// PathSendMessage, PathDeliverNotify or PathUploadMedia.
	Endpoint string
	// Status is the HTTP status answered; 0 when no answer came.
	Status int
	// Code is the errcode answered: CodeOK on success, and when the answer
	// carried none or could not be read (see Err).
	Code ErrorCode
	// Err is nil on success, else the error the request ended with (an
	// *APIError, a *StatusError, a transport error, …).
	Err error
	// Attempt is 1 for the first request of a call, 2 for its first retry
	// under ClientOptions.Retry, and so on.
	Attempt int
	// Latency is the time from sending the request to reading the answer.
	Latency time.Duration
}
