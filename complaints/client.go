package complaints

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"golang.org/x/time/rate"

	"github.com/payfeedback/payfeedback/apiv3"
)

// ClientOptions configures NewClient.
type ClientOptions struct {
	// API configures the signed APIv3 core the Client calls through:
	// MchID, Signer and Verifier are required; BaseURL is WeChat's host
	// by default (apiv3.DefaultBaseURL): give the fake's URL in tests; Retry
	// (nil: none) retries SYSTEM_ERROR and FREQUENCY_LIMITED answers with
	// backoff, each retry signed anew with the same body (an
	// immediate-service reply keeps its idempotent_id). See apiv3.ClientOptions.
	API apiv3.ClientOptions
	// Pacing, when not nil, keeps each endpoint under its per-minute
	// limit (opt-in; see Pacing).
	Pacing *Pacing
}

// Client calls the Complaints 2.0 API for one merchant (docs/complaints-v3.md,
// "Endpoints"). Each method checks its arguments before anything is sent
// (a *ValidationError), sends a request signed by apiv3, believes the answer
// only once its signature verifies, and returns WeChat's error answers as
// *apiv3.Error (errors.As). It is safe for concurrent use.
type Client struct {
	api    *apiv3.Client
	pacers map[Endpoint]*rate.Limiter // nil: no pacing; never written after NewClient
}

// NewClient returns a Client, or an error saying what to configure.
func NewClient(o ClientOptions) (*Client, error) {
	api, err := apiv3.NewClient(o.API)
	if err != nil {
		return nil, fmt.Errorf("complaints: NewClient: %w", err)
	}
	c := &Client{api: api}
	if o.Pacing != nil {
		if c.pacers, err = o.Pacing.limiters(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// API returns the apiv3 client the Client calls through, for the APIv3
// endpoints this package does not wrap (DownloadCertificates, for one).
func (c *Client) API() *apiv3.Client { return c.api }

// pace waits until endpoint e may be called, when pacing is on.
func (c *Client) pace(ctx context.Context, e Endpoint) error {
	if c.pacers == nil {
		return nil
	}
	if err := c.pacers[e].Wait(ctx); err != nil {
		return fmt.Errorf("complaints: %s: waiting for its rate limit: %w", e, err)
	}
	return nil
}

// call paces, sends a request and wraps its error with what was asked.
func (c *Client) call(ctx context.Context, e Endpoint, method, target string, body []byte) (*apiv3.Response, error) {
	if err := c.pace(ctx, e); err != nil {
		return nil, err
	}
	resp, err := c.api.Do(ctx, apiv3.Request{Method: method, Target: target, Body: body})
	if err != nil {
		return nil, fmt.Errorf("complaints: %s: %w", e, err)
	}
	return resp, nil
}

// send encodes body (a validated request) and calls; for answers without
// content (204).
func (c *Client) send(ctx context.Context, e Endpoint, method, target string, body any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return fmt.Errorf("complaints: %s: %w", e, err)
	}
	_, err = c.call(ctx, e, method, target, b)
	return err
}

// decodeAnswer decodes a verified answer's JSON into a T.
func decodeAnswer[T any](e Endpoint, resp *apiv3.Response) (T, error) {
	var v T
	if resp.StatusCode == http.StatusNoContent || len(resp.Body) == 0 {
		return v, fmt.Errorf("complaints: %s: WeChat answered %d without a body where one was expected (Request-ID %s)", e, resp.StatusCode, resp.RequestID())
	}
	if err := json.Unmarshal(resp.Body, &v); err != nil {
		return v, fmt.Errorf("complaints: %s: the answer does not decode (Request-ID %s): %w", e, resp.RequestID(), err)
	}
	return v, nil
}

// getJSON sends a GET and decodes the answer.
func getJSON[T any](ctx context.Context, c *Client, e Endpoint, target string) (T, error) {
	resp, err := c.call(ctx, e, http.MethodGet, target, nil)
	if err != nil {
		var zero T
		return zero, err
	}
	return decodeAnswer[T](e, resp)
}

// Detail returns a complaint (GET …/complaints-v2/{complaint_id}).
func (c *Client) Detail(ctx context.Context, complaintID string) (Complaint, error) {
	if err := ValidateComplaintID(complaintID); err != nil {
		return Complaint{}, err
	}
	return getJSON[Complaint](ctx, c, EndpointDetail, PathComplaint(complaintID))
}

// Respond replies to the user (POST …/response). The first reply moves a
// PENDING complaint to PROCESSING. Whether WeChat deduplicates a retried
// reply is not documented: a reply retried after a lost answer may show
// twice.
func (c *Client) Respond(ctx context.Context, complaintID string, r ResponseRequest) error {
	if err := firstError(ValidateComplaintID(complaintID), r.Validate()); err != nil {
		return err
	}
	return c.send(ctx, EndpointResponse, http.MethodPost, PathResponse(complaintID), r)
}

// Complete marks a complaint handled (POST …/complete); WeChat then sends
// the user a satisfaction survey.
func (c *Client) Complete(ctx context.Context, complaintID string, r CompleteRequest) error {
	if err := firstError(ValidateComplaintID(complaintID), r.Validate()); err != nil {
		return err
	}
	return c.send(ctx, EndpointComplete, http.MethodPost, PathComplete(complaintID), r)
}

// UpdateRefundProgress approves or rejects the refund a REFUND complaint
// asks for (POST …/update-refund-progress).
func (c *Client) UpdateRefundProgress(ctx context.Context, complaintID string, r RefundProgressRequest) error {
	if err := firstError(ValidateComplaintID(complaintID), r.Validate()); err != nil {
		return err
	}
	return c.send(ctx, EndpointRefundProgress, http.MethodPost, PathUpdateRefundProgress(complaintID), r)
}

// RespondImmediately replies to a complaint that needs immediate service
// (POST …/response-immediate-service) and returns the log_id of the history
// entry it made. WeChat processes one IdempotentID once: to retry this
// reply after an error, call again with the same request.
func (c *Client) RespondImmediately(ctx context.Context, complaintID string, r ImmediateServiceRequest) (ImmediateServiceAnswer, error) {
	if err := firstError(ValidateComplaintID(complaintID), r.Validate()); err != nil {
		return ImmediateServiceAnswer{}, err
	}
	b, err := json.Marshal(r)
	if err != nil {
		return ImmediateServiceAnswer{}, fmt.Errorf("complaints: %s: %w", EndpointImmediateService, err)
	}
	resp, err := c.call(ctx, EndpointImmediateService, http.MethodPost, PathResponseImmediateService(complaintID), b)
	if err != nil {
		return ImmediateServiceAnswer{}, err
	}
	return decodeAnswer[ImmediateServiceAnswer](EndpointImmediateService, resp)
}

// firstError returns the first error that is not nil.
func firstError(errs ...error) error {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}
