package main

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

// prometheusMetrics exposes the middleware's and the client's observations
// as Prometheus metrics. It implements middleware.Metrics and
// payfeedback.ClientMetrics.
//
//	payfeedback_notifications_total{outcome, reason}      counter
//	payfeedback_notification_seconds{outcome}             histogram
//	payfeedback_replay_degraded_total                     counter
//	payfeedback_shared_signatures_total                   counter
//	payfeedback_wechat_requests_total{endpoint, errcode}  counter
//	payfeedback_wechat_request_seconds{endpoint}          histogram
//
// reason is "" but for refusals (Observation.Reason: "bad_signature",
// "too_old", "signature_reused", …); errcode is WeChat's ("0", "-1",
// "40001", …), or "http_<status>" for an HTTP error and "no_answer" when
// none came. Every label set is bounded.
type prometheusMetrics struct {
	notifications *prometheus.CounterVec
	latency       *prometheus.HistogramVec
	degraded      prometheus.Counter
	shared        prometheus.Counter
	requests      *prometheus.CounterVec
	requestTime   *prometheus.HistogramVec

	// The series of the outcomes without a reason, resolved once, so that
	// observing an accepted or duplicate notification allocates nothing.
	plain [middleware.OutcomeReplayDegraded]prometheus.Counter
	took  [middleware.OutcomeReplayDegraded]prometheus.Observer
}

// newPrometheusMetrics registers the metrics with reg.
func newPrometheusMetrics(reg prometheus.Registerer) *prometheusMetrics {
	m := &prometheusMetrics{
		notifications: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "payfeedback_notifications_total",
			Help: "Requests to the complaint notification endpoint, by outcome and refusal reason.",
		}, []string{"outcome", "reason"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "payfeedback_notification_seconds",
			Help:    "Time spent on a notification, the handler included, by outcome.",
			Buckets: []float64{.0001, .0005, .001, .005, .01, .05, .1, .5, 1, 5},
		}, []string{"outcome"}),
		degraded: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "payfeedback_replay_degraded_total",
			Help: "Notifications the replay store forgot while still fresh (a replay would be handled again): raise MaxEntries.",
		}),
		shared: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "payfeedback_shared_signatures_total",
			Help: "Notifications taken although their AppSignature had been used with other fields (two of one user in one second, or a forged copy).",
		}),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "payfeedback_wechat_requests_total",
			Help: "HTTP requests to the WeChat API, by endpoint and errcode.",
		}, []string{"endpoint", "errcode"}),
		requestTime: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "payfeedback_wechat_request_seconds",
			Help:    "Latency of HTTP requests to the WeChat API, by endpoint.",
			Buckets: prometheus.DefBuckets,
		}, []string{"endpoint"}),
	}
	reg.MustRegister(m.notifications, m.latency, m.degraded, m.shared, m.requests, m.requestTime)
	for o := middleware.OutcomeAccepted; o < middleware.OutcomeReplayDegraded; o++ {
		if o != middleware.OutcomeRefused {
			m.plain[o] = m.notifications.WithLabelValues(o.String(), "")
		}
		m.took[o] = m.latency.WithLabelValues(o.String())
	}
	return m
}

// Observe implements middleware.Metrics.
func (m *prometheusMetrics) Observe(o middleware.Observation) {
	if o.Outcome == middleware.OutcomeReplayDegraded {
		m.degraded.Inc()
		return
	}
	if o.Outcome == 0 || o.Outcome > middleware.OutcomeReplayDegraded {
		return // an outcome this example does not know
	}
	if o.SharedSignature {
		m.shared.Inc()
	}
	if c := m.plain[o.Outcome]; c != nil {
		c.Inc()
	} else {
		m.notifications.WithLabelValues(o.Outcome.String(), o.Reason()).Inc()
	}
	m.took[o.Outcome].Observe(o.Latency.Seconds())
}

// ObserveCall implements payfeedback.ClientMetrics.
func (m *prometheusMetrics) ObserveCall(o payfeedback.CallObservation) {
	m.requests.WithLabelValues(o.Endpoint, errcodeLabel(o)).Inc()
	m.requestTime.WithLabelValues(o.Endpoint).Observe(o.Latency.Seconds())
}

// errcodeLabel is the errcode label of a request.
func errcodeLabel(o payfeedback.CallObservation) string {
	switch {
	case o.Status == 0:
		return "no_answer"
	case o.Status < 200 || o.Status > 299:
		return "http_" + strconv.Itoa(o.Status)
	}
	return strconv.Itoa(int(o.Code))
}
