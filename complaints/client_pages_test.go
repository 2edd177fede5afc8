package complaints

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"
)

// listFake answers the list endpoint from complaints filed on given days,
// as WeChat pages them: the span's complaints from offset, limit of them,
// total_count on the first page only. tooLargeOver > 0 answers "当前查询结果
// 数据量过大" to any limit above it. A complaint id listed in shift is also
// returned first on every later page of its span, as if the list had moved.
type listFake struct {
	t            *testing.T
	filed        map[string][]string // day (yyyy-MM-dd) → complaint ids
	tooLargeOver int
}

func (l listFake) route(s seen, _ int) answer {
	u, err := url.Parse(s.Target)
	if err != nil || u.Path != PathComplaints {
		l.t.Errorf("unexpected request %s %s", s.Method, s.Target)
		return failure(404, "NOT_FOUND", "")
	}
	q := u.Query()
	begin, err1 := ParseDate(q.Get("begin_date"))
	end, err2 := ParseDate(q.Get("end_date"))
	if err1 != nil || err2 != nil || (Span{begin, end}).Days() > MaxSpanDays || end.Compare(begin) < 0 {
		l.t.Errorf("bad span in %s", s.Target)
		return failure(400, "PARAM_ERROR", "时间跨度不合法")
	}
	limit, offset := queryInt(l.t, s.Target, "limit"), max(0, queryInt(l.t, s.Target, "offset"))
	if limit < 0 {
		limit = 10
	}
	if l.tooLargeOver > 0 && limit > l.tooLargeOver {
		return failure(400, "INVALID_REQUEST", "当前查询结果数据量过大")
	}
	var ids []string
	for d := begin; d.Compare(end) <= 0; d = d.AddDays(1) {
		ids = append(ids, l.filed[d.String()]...)
	}
	page := []Complaint{}
	for _, id := range ids[min(offset, len(ids)):min(offset+limit, len(ids))] {
		page = append(page, Complaint{ComplaintID: id, ComplaintState: StatePending, ComplaintedMchID: testMchID})
	}
	var total *int
	if offset == 0 {
		total = new(len(ids))
	}
	return ok(pageOf(l.t, page, limit, offset, total))
}

// ids returns n complaint ids with a prefix.
func ids(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}

// targets returns the query of each request, without the path.
func targets(reqs []seen) []string {
	out := make([]string, len(reqs))
	for i, r := range reqs {
		_, out[i], _ = strings.Cut(r.Target, "?")
	}
	return out
}

// TestListAll: a 90-day span is asked in three 30-day windows, each page by
// page until a short page or total_count, and every complaint is yielded
// once in order.
func TestListAll(t *testing.T) {
	lf := listFake{t: t, filed: map[string][]string{
		"2025-01-01": ids("a", 4), "2025-01-30": ids("b", 3), // window 1: 7
		"2025-03-02": ids("c", 3), // window 3: 3 (window 2 is empty)
		"2025-03-31": {},
	}}
	f := newFake(t, lf.route)
	c := f.serve(t, ClientOptions{})
	r := ListAllRequest{BeginDate: Date{2025, 1, 1}, EndDate: Date{2025, 3, 31}, PageSize: 3, ComplaintedMchID: testMchID}
	var got []string
	for complaint, err := range c.ListAll(context.Background(), r) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, complaint.ComplaintID)
	}
	want := append(append(ids("a", 4), ids("b", 3)...), ids("c", 3)...)
	if !slices.Equal(got, want) {
		t.Errorf("yielded %v\nwant %v", got, want)
	}
	wantTargets := []string{
		"begin_date=2025-01-01&complainted_mchid=1900012181&end_date=2025-01-30&limit=3",
		"begin_date=2025-01-01&complainted_mchid=1900012181&end_date=2025-01-30&limit=3&offset=3",
		"begin_date=2025-01-01&complainted_mchid=1900012181&end_date=2025-01-30&limit=3&offset=6",
		"begin_date=2025-01-31&complainted_mchid=1900012181&end_date=2025-03-01&limit=3",
		"begin_date=2025-03-02&complainted_mchid=1900012181&end_date=2025-03-31&limit=3",
	}
	if diff := slices.Compare(targets(f.seenRequests()), wantTargets); diff != 0 {
		t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(targets(f.seenRequests()), "\n"), strings.Join(wantTargets, "\n"))
	}
}

// TestListAllStopsAtBreak: a caller's break sends no further request.
func TestListAllStopsAtBreak(t *testing.T) {
	lf := listFake{t: t, filed: map[string][]string{"2025-01-01": ids("a", 10), "2025-02-15": ids("b", 5)}}
	f := newFake(t, lf.route)
	c := f.serve(t, ClientOptions{})
	n := 0
	for _, err := range c.ListAll(context.Background(), ListAllRequest{BeginDate: Date{2025, 1, 1}, EndDate: Date{2025, 3, 1}, PageSize: 3}) {
		if err != nil {
			t.Fatal(err)
		}
		if n++; n == 4 {
			break
		}
	}
	if got := len(f.seenRequests()); got != 2 {
		t.Errorf("%d requests after a break in the second page, want 2", got)
	}
}

// TestListAllSkipsRepeats: a complaint the live list shows again on a
// later page is yielded once.
func TestListAllSkipsRepeats(t *testing.T) {
	f := newFake(t, func(s seen, n int) answer {
		switch queryInt(t, s.Target, "offset") {
		case -1:
			return ok(pageOf(t, []Complaint{{ComplaintID: "1"}, {ComplaintID: "2"}}, 2, 0, new(4)))
		default: // a new complaint pushed "2" down
			return ok(pageOf(t, []Complaint{{ComplaintID: "2"}, {ComplaintID: "3"}}, 2, 2, nil))
		}
	})
	c := f.serve(t, ClientOptions{})
	var got []string
	for complaint, err := range c.ListAll(context.Background(), ListAllRequest{BeginDate: Date{2025, 1, 1}, EndDate: Date{2025, 1, 1}, PageSize: 2}) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, complaint.ComplaintID)
	}
	if !slices.Equal(got, []string{"1", "2", "3"}) {
		t.Errorf("yielded %v", got)
	}
}

// TestTooLargeRetried: "当前查询结果数据量过大" is asked again with half the
// limit until it fits, and the smaller limit stays for the next pages.
func TestTooLargeRetried(t *testing.T) {
	lf := listFake{t: t, filed: map[string][]string{"2025-01-01": ids("a", 30)}, tooLargeOver: 12}
	f := newFake(t, lf.route)
	c := f.serve(t, ClientOptions{})
	n := 0
	for _, err := range c.ListAll(context.Background(), ListAllRequest{BeginDate: Date{2025, 1, 1}, EndDate: Date{2025, 1, 1}}) {
		if err != nil {
			t.Fatal(err)
		}
		n++
	}
	if n != 30 {
		t.Errorf("yielded %d complaints, want 30", n)
	}
	var limits []int
	for _, r := range f.seenRequests() {
		limits = append(limits, queryInt(t, r.Target, "limit"))
	}
	if want := []int{50, 25, 12, 12, 12}; !slices.Equal(limits, want) {
		t.Errorf("limits asked %v, want %v", limits, want)
	}

	// One page: History asks with WeChat's default first (no limit), then
	// half of it.
	f = newFake(t, func(s seen, _ int) answer {
		if l := queryInt(t, s.Target, "limit"); l < 0 || l > 60 {
			return failure(400, "INVALID_REQUEST", "当前查询结果数据量过大")
		}
		return ok(pageOf(t, []NegotiationHistory{{LogID: "1"}}, 50, 0, new(1)))
	})
	c = f.serve(t, ClientOptions{})
	p, err := c.History(context.Background(), testComplaintID, HistoryRequest{})
	if err != nil || len(p.Data) != 1 {
		t.Fatalf("History: %+v, %v", p, err)
	}
	if got := targets(f.seenRequests()); !slices.Equal(got, []string{"", "limit=50"}) {
		t.Errorf("queries %q", got)
	}

	// Too large even at limit 1: the error says so.
	f = newFake(t, func(seen, int) answer { return failure(400, "INVALID_REQUEST", "当前查询结果数据量过大") })
	c = f.serve(t, ClientOptions{})
	_, err = c.List(context.Background(), ListRequest{BeginDate: Date{2025, 1, 1}, EndDate: Date{2025, 1, 1}, Limit: 4})
	if !IsResultTooLarge(err) || !strings.Contains(err.Error(), "limit 1") {
		t.Errorf("err = %v", err)
	}
	if got := targets(f.seenRequests()); len(got) != 3 {
		t.Errorf("queries %q, want limits 4, 2, 1", got)
	}
}

// TestHistoryAll reads a history page by page and stops at a short page.
func TestHistoryAll(t *testing.T) {
	entries := make([]NegotiationHistory, 7)
	for i := range entries {
		entries[i] = NegotiationHistory{LogID: fmt.Sprint(i), OperateType: OperateUserResponse, OperateTime: time.Date(2025, 5, 20, 10, i, 0, 0, time.UTC)}
	}
	f := newFake(t, func(s seen, _ int) answer {
		limit, offset := queryInt(t, s.Target, "limit"), max(0, queryInt(t, s.Target, "offset"))
		var total *int
		if offset == 0 {
			total = new(len(entries))
		}
		return ok(pageOf(t, entries[min(offset, 7):min(offset+limit, 7)], limit, offset, total))
	})
	c := f.serve(t, ClientOptions{})
	var got []string
	for h, err := range c.HistoryAll(context.Background(), testComplaintID, 3) {
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, h.LogID)
	}
	if !slices.Equal(got, []string{"0", "1", "2", "3", "4", "5", "6"}) {
		t.Errorf("yielded %v", got)
	}
	if q := targets(f.seenRequests()); !slices.Equal(q, []string{"limit=3", "limit=3&offset=3", "limit=3&offset=6"}) {
		t.Errorf("queries %q", q)
	}
}

// TestIteratorYieldsErrorOnce: an error ends the iteration after being
// yielded once.
func TestIteratorYieldsErrorOnce(t *testing.T) {
	f := newFake(t, func(seen, int) answer {
		return failure(http.StatusForbidden, "NO_AUTH", "您暂无权限查询该投诉单的信息")
	})
	c := f.serve(t, ClientOptions{})
	errs := 0
	for _, err := range c.HistoryAll(context.Background(), testComplaintID, 0) {
		if err == nil {
			t.Fatal("an entry from an error answer")
		}
		errs++
	}
	if errs != 1 || len(f.seenRequests()) != 1 {
		t.Errorf("%d errors yielded, %d requests", errs, len(f.seenRequests()))
	}
}
