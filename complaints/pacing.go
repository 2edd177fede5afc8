package complaints

import (
	"fmt"
	"slices"
	"time"

	"golang.org/x/time/rate"
)

// Endpoint names an endpoint of Complaints 2.0, for pacing
// (docs/complaints-v3.md, "Rate limits").
type Endpoint string

// The endpoints the Client calls.
const (
	EndpointList             Endpoint = "list"
	EndpointDetail           Endpoint = "detail"
	EndpointHistory          Endpoint = "negotiation-history"
	EndpointResponse         Endpoint = "response"
	EndpointComplete         Endpoint = "complete"
	EndpointRefundProgress   Endpoint = "update-refund-progress"
	EndpointImmediateService Endpoint = "response-immediate-service"
	EndpointNotificationURL  Endpoint = "complaint-notifications"
	EndpointImageUpload      Endpoint = "image-upload"
	EndpointImageDownload    Endpoint = "image-download"
)

// Endpoints returns the endpoints the Client calls.
func Endpoints() []Endpoint {
	return []Endpoint{
		EndpointList, EndpointDetail, EndpointHistory, EndpointResponse, EndpointComplete,
		EndpointRefundProgress, EndpointImmediateService, EndpointNotificationURL,
		EndpointImageUpload, EndpointImageDownload,
	}
}

// DefaultPerMinute returns the calls a minute WeChat allows an endpoint:
// the published limits (list and history 200, reply and upload 60, complete
// 1500) and, where WeChat publishes none, payfeedback's choice
// (docs/complaints-v3.md, "Decisions"): the reads (detail, image download)
// as the list, 200; the writes (refund approval, immediate-service reply,
// callback URL) as the reply, 60. It returns 0 for an unknown endpoint.
func DefaultPerMinute(e Endpoint) int {
	switch e {
	case EndpointList, EndpointHistory, EndpointDetail, EndpointImageDownload:
		return 200
	case EndpointResponse, EndpointImageUpload, EndpointRefundProgress, EndpointImmediateService, EndpointNotificationURL:
		return 60
	case EndpointComplete:
		return 1500
	}
	return 0
}

// Pacing spaces a Client's calls so that no endpoint is called more often
// than its limit in any minute: a token bucket per endpoint holding a tenth
// of the limit, refilled with the other nine tenths over the minute (for a
// limit of 60: 6 calls at once, then one every 1.1 s). It paces one Client:
// a fleet of instances shares WeChat's limits, so give each a share
// (PerMinute). Retries of the apiv3 RetryPolicy are not paced again.
type Pacing struct {
	// PerMinute overrides DefaultPerMinute for the endpoints it names,
	// in calls a minute (at least 1).
	PerMinute map[Endpoint]int
}

// limiters builds the limiter of each endpoint, or says what is wrong with
// p.
func (p *Pacing) limiters() (map[Endpoint]*rate.Limiter, error) {
	known := Endpoints()
	for e, n := range p.PerMinute {
		switch {
		case !slices.Contains(known, e):
			return nil, fmt.Errorf("complaints: Pacing.PerMinute names %q, not an endpoint (want one of the Endpoint constants)", e)
		case n < 1:
			return nil, fmt.Errorf("complaints: Pacing.PerMinute[%s] is %d: give at least 1 call a minute (leave it out for the default %d)", e, n, DefaultPerMinute(e))
		}
	}
	out := make(map[Endpoint]*rate.Limiter, len(known))
	for _, e := range known {
		n, ok := p.PerMinute[e]
		if !ok {
			n = DefaultPerMinute(e)
		}
		out[e] = perMinute(n)
	}
	return out, nil
}

// perMinute returns a limiter allowing at most n calls in any minute: a
// burst of n/10 (at least 1) and the rest spread over the minute.
func perMinute(n int) *rate.Limiter {
	burst := max(1, n/10)
	return rate.NewLimiter(rate.Limit(float64(max(1, n-burst))/time.Minute.Seconds()), burst)
}
