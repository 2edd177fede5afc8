package complaints

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"strings"

	"github.com/payfeedback/payfeedback/apiv3"
)

// tooLargeMessage is what WeChat answers when a page would hold too much
// data ("当前查询结果数据量过大"): ask again with a smaller limit. No code is
// documented for it, so its message is what identifies it.
const tooLargeMessage = "数据量过大"

// IsResultTooLarge reports whether err is WeChat's answer that a page would
// hold too much data (当前查询结果数据量过大), which asks for a smaller limit.
// The Client's paging methods already retry with a smaller limit.
func IsResultTooLarge(err error) bool {
	var ae *apiv3.Error
	return errors.As(err, &ae) && strings.Contains(ae.Message, tooLargeMessage)
}

// List returns one page of complaints (GET …/complaints-v2). When WeChat
// answers that the page would be too large, List asks again with half the
// limit, until it fits (the page's Limit says what was used). ListAll
// iterates over every page of any span.
func (c *Client) List(ctx context.Context, r ListRequest) (Page[Complaint], error) {
	if err := r.Validate(); err != nil {
		return Page[Complaint]{}, err
	}
	p, _, err := fetchPage[Complaint](ctx, c, EndpointList, r.Limit, 10, func(limit int) string {
		q := r
		q.Limit = limit
		return WithQuery(PathComplaints, q.Values())
	})
	return p, err
}

// ListAllRequest selects the complaints ListAll iterates over.
type ListAllRequest struct {
	// BeginDate and EndDate bound the days, both included, in China
	// Standard Time: any span (required; EndDate not before BeginDate).
	BeginDate, EndDate Date
	// PageSize is the limit of each page, 1 to 50; 0 means 50, the fewest
	// calls.
	PageSize int
	// ComplaintedMchID selects one sub-merchant (partners); "" means every
	// complaint the caller may see.
	ComplaintedMchID string
}

// Validate checks r; the error is a *ValidationError.
func (r ListAllRequest) Validate() error {
	err := first(
		checkDate("begin_date", r.BeginDate),
		checkDate("end_date", r.EndDate),
		checkPage(r.PageSize, 0, MaxListLimit),
		checkText("complainted_mchid", r.ComplaintedMchID, false, MaxMchIDLength),
	)
	if err == nil && r.EndDate.Compare(r.BeginDate) < 0 {
		err = &fieldError{"end_date", fmt.Sprintf("%s is before begin_date %s", r.EndDate, r.BeginDate)}
	}
	return err.in("ListAllRequest")
}

// ListAll iterates over the complaints filed from r.BeginDate to r.EndDate:
// the span cut into windows of MaxSpanDays days (SplitSpan, oldest first),
// each window page by page. A page WeChat finds too large is asked again
// with half the limit, which then stays for the rest. The list is read live,
// so a complaint filed meanwhile can shift a page: a complaint already
// yielded is not yielded again. An error (validation, the network, an
// answer that does not verify, WeChat's error) is yielded once, and ends
// the iteration; so does the caller's break, with no further request.
func (c *Client) ListAll(ctx context.Context, r ListAllRequest) iter.Seq2[Complaint, error] {
	return func(yield func(Complaint, error) bool) {
		if err := r.Validate(); err != nil {
			yield(Complaint{}, err)
			return
		}
		seen := map[string]bool{}
		once := func(c Complaint, err error) bool {
			if err == nil {
				if seen[c.ComplaintID] {
					return true
				}
				seen[c.ComplaintID] = true
			}
			return yield(c, err)
		}
		limit := r.PageSize
		if limit == 0 {
			limit = MaxListLimit
		}
		for _, span := range SplitSpan(r.BeginDate, r.EndDate) {
			q := ListRequest{BeginDate: span.Begin, EndDate: span.End, ComplaintedMchID: r.ComplaintedMchID}
			var more bool
			limit, more = eachPage(ctx, c, EndpointList, limit, func(limit, offset int) string {
				q.Limit, q.Offset = limit, offset
				return WithQuery(PathComplaints, q.Values())
			}, once)
			if !more {
				return
			}
		}
	}
}

// History returns one page of a complaint's negotiation history (GET
// …/negotiation-historys), asking again with half the limit while WeChat
// answers that the page would be too large.
func (c *Client) History(ctx context.Context, complaintID string, r HistoryRequest) (Page[NegotiationHistory], error) {
	if err := firstError(ValidateComplaintID(complaintID), r.Validate()); err != nil {
		return Page[NegotiationHistory]{}, err
	}
	p, _, err := fetchPage[NegotiationHistory](ctx, c, EndpointHistory, r.Limit, 100, func(limit int) string {
		q := r
		q.Limit = limit
		return WithQuery(PathNegotiationHistory(complaintID), q.Values())
	})
	return p, err
}

// HistoryAll iterates over a complaint's whole negotiation history, page by
// page (pageSize 1 to 300; 0 means 300), as ListAll does: a too-large page
// is asked again with half the limit, an entry already yielded (same
// log_id) is not yielded again, and an error is yielded once and ends it.
func (c *Client) HistoryAll(ctx context.Context, complaintID string, pageSize int) iter.Seq2[NegotiationHistory, error] {
	return func(yield func(NegotiationHistory, error) bool) {
		if err := firstError(ValidateComplaintID(complaintID), HistoryRequest{Limit: pageSize}.Validate()); err != nil {
			yield(NegotiationHistory{}, err)
			return
		}
		if pageSize == 0 {
			pageSize = MaxHistoryLimit
		}
		seen := map[string]bool{}
		eachPage(ctx, c, EndpointHistory, pageSize, func(limit, offset int) string {
			return WithQuery(PathNegotiationHistory(complaintID), HistoryRequest{Limit: limit, Offset: offset}.Values())
		}, func(h NegotiationHistory, err error) bool {
			if err == nil {
				if seen[h.LogID] {
					return true
				}
				seen[h.LogID] = true
			}
			return yield(h, err)
		})
	}
}

// fetchPage gets the page that target(limit) names. While WeChat answers
// that it is too large, it halves the limit (0, WeChat's default, counts as
// def) and asks again; it returns the page and the limit that fitted.
func fetchPage[T any](ctx context.Context, c *Client, e Endpoint, limit, def int, target func(limit int) string) (Page[T], int, error) {
	for {
		p, err := getJSON[Page[T]](ctx, c, e, target(limit))
		if !IsResultTooLarge(err) {
			return p, limit, err
		}
		if limit == 0 {
			limit = def
		}
		if limit <= 1 {
			return p, limit, fmt.Errorf("%w (already at limit 1: nothing smaller to ask)", err)
		}
		limit /= 2
	}
}

// eachPage reads the pages of one query from offset 0, yielding each item,
// until a page comes back short or empty, the first page's total_count is
// reached, yield returns false or an error (yielded) ends it. It returns the
// limit it ended with and whether the caller may go on (no error, no stop).
func eachPage[T any](ctx context.Context, c *Client, e Endpoint, limit int, target func(limit, offset int) string, yield func(T, error) bool) (int, bool) {
	total := -1
	for offset := 0; ; {
		p, used, err := fetchPage[T](ctx, c, e, limit, limit, func(limit int) string { return target(limit, offset) })
		limit = used
		if err != nil {
			var zero T
			yield(zero, err)
			return limit, false
		}
		if offset == 0 && p.TotalCount != nil {
			total = *p.TotalCount
		}
		for _, item := range p.Data {
			if !yield(item, nil) {
				return limit, false
			}
		}
		size := p.Limit
		if size <= 0 {
			size = limit
		}
		offset += len(p.Data)
		if len(p.Data) == 0 || len(p.Data) < size || (total >= 0 && offset >= total) {
			return limit, true
		}
	}
}
