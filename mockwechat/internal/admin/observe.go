package admin

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/push"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// What happened and what to make happen: the clock, faults, the call log,
// the delivery log.
func (h *Handler) observeRoutes(route routeFunc) {
	route("GET /_mock/clock", h.clock)
	route("POST /_mock/clock/advance", h.advance)
	route("GET /_mock/faults", h.faults)
	route("POST /_mock/faults", h.addFault)
	route("DELETE /_mock/faults", h.clearFaults)
	route("DELETE /_mock/faults/{fault}", h.removeFault)
	route("GET /_mock/calls", h.calls)
	route("DELETE /_mock/calls", h.clearCalls)
	route("GET /_mock/calls/wait", h.waitCall)
	route("GET /_mock/calls/stats", h.callStats)
	route("GET /_mock/deliveries", h.deliveries)
	route("GET /_mock/deliveries/wait", h.waitDelivery)
	route("GET /_mock/idle", h.idle)
}

func (h *Handler) clockView() map[string]any {
	v := map[string]any{"now": h.b.Now(), "virtual": false}
	if c := h.b.VirtualClock(); c != nil {
		v["virtual"], v["pending_events"] = true, c.Pending()
	}
	return v
}

func (h *Handler) clock(r *http.Request) (int, any, error) {
	return 200, h.clockView(), nil
}

// advance moves the virtual clock by {"by":"15m"} (or ?by=15m).
func (h *Handler) advance(r *http.Request) (int, any, error) {
	var p struct {
		By string `json:"by"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	if p.By == "" {
		p.By = r.URL.Query().Get("by")
	}
	d, err := time.ParseDuration(p.By)
	if err != nil || d < 0 {
		return 0, nil, badRequestf(`advance needs {"by":"<Go duration>"}, e.g. "15m" or "360h"`)
	}
	c := h.b.VirtualClock()
	if c == nil {
		return 0, nil, fmt.Errorf("mockwechat: the clock is real time: start the fake with a virtual clock (payfeedback mock --virtual-clock) to advance it: %w", world.ErrState)
	}
	c.Advance(d)
	return 200, h.clockView(), nil
}

// faultJSON is a Fault as the admin API reads and writes it: the outer
// Delay, a Go duration string such as "2s", hides the Fault's nanoseconds
// under the same JSON name.
type faultJSON struct {
	fault.Fault
	Delay string `json:"delay,omitempty"`
	Stale string `json:"stale,omitempty"`
}

func (h *Handler) faults(r *http.Request) (int, any, error) {
	out := []faultJSON{}
	for _, f := range h.b.Faults() {
		fj := faultJSON{Fault: f}
		if f.Delay > 0 {
			fj.Delay = f.Delay.String()
		}
		if f.Stale > 0 {
			fj.Stale = f.Stale.String()
		}
		out = append(out, fj)
	}
	return 200, out, nil
}

func (h *Handler) addFault(r *http.Request) (int, any, error) {
	var fj faultJSON
	if err := decodeBody(r, &fj); err != nil {
		return 0, nil, err
	}
	f := fj.Fault
	if fj.Delay != "" {
		d, err := time.ParseDuration(fj.Delay)
		if err != nil {
			return 0, nil, badRequestf("fault delay %q: want a Go duration such as 2s", text.Clip(fj.Delay, 32))
		}
		f.Delay = d
	}
	if fj.Stale != "" {
		d, err := time.ParseDuration(fj.Stale)
		if err != nil {
			return 0, nil, badRequestf("fault stale %q: want a Go duration such as 6m", text.Clip(fj.Stale, 32))
		}
		f.Stale = d
	}
	if err := h.b.AddFault(f); err != nil {
		return 0, nil, err
	}
	_, v, err := h.faults(r)
	return http.StatusCreated, v, err
}

// removeFault removes one fault by its id and answers the active ones.
func (h *Handler) removeFault(r *http.Request) (int, any, error) {
	id, err := strconv.ParseUint(r.PathValue("fault"), 10, 64)
	if err != nil {
		return 0, nil, badRequestf("fault %q: want the id of a fault (GET /_mock/faults lists them)", text.Clip(r.PathValue("fault"), 32))
	}
	if err := h.b.RemoveFault(id); err != nil {
		return 0, nil, err
	}
	return h.faults(r)
}

func (h *Handler) clearFaults(r *http.Request) (int, any, error) {
	h.b.ClearFaults()
	return 200, []faultJSON{}, nil
}

// callFilter matches ?endpoint=, ?appid=, ?errcode= and any other
// parameter (except since, limit and timeout) against the call's query.
func callFilter(q url.Values) (func(calllog.Call) bool, error) {
	var code *payfeedback.ErrorCode
	if v := q.Get("errcode"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, badRequestf("errcode %q is not a number", text.Clip(v, 16))
		}
		c := payfeedback.ErrorCode(n)
		code = &c
	}
	return func(c calllog.Call) bool {
		for k, vs := range q {
			switch k {
			case "since", "timeout", "limit":
			case "endpoint":
				if c.Endpoint != vs[0] {
					return false
				}
			case "appid":
				if c.AppID != vs[0] {
					return false
				}
			case "errcode":
				if c.ErrCode != *code {
					return false
				}
			default:
				if c.Query.Get(k) != vs[0] {
					return false
				}
			}
		}
		return true
	}, nil
}

func sinceParam(q url.Values) uint64 {
	n, _ := strconv.ParseUint(q.Get("since"), 10, 64)
	return n
}

// callsPage is {"calls":[…],"next":seq}, streamed.
type callsPage struct {
	calls []calllog.Call
	next  uint64
}

func (p callsPage) stream(w io.Writer) {
	io.WriteString(w, `{"calls":`)
	jsonList[calllog.Call](p.calls).stream(w)
	fmt.Fprintf(w, `,"next":%d}`, p.next)
}

// MarshalJSON is for tests and other encoders than the stream.
func (p callsPage) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]any{"calls": p.calls, "next": p.next})
}

// calls lists the call log from ?since= (a seq), at most ?limit= calls
// read (the filters apply to those), and the seq to ask from next.
func (h *Handler) calls(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	match, err := callFilter(q)
	if err != nil {
		return 0, nil, err
	}
	limit, err := limitParam(q)
	if err != nil {
		return 0, nil, err
	}
	calls, next := h.b.CallsPage(sinceParam(q), limit)
	out := calls[:0]
	for _, c := range calls {
		if match(c) {
			out = append(out, c)
		}
	}
	if out == nil {
		out = []calllog.Call{}
	}
	return 200, callsPage{out, next}, nil
}

// callStats counts the logged calls matching the filters of calls by
// errcode: {"calls":N,"errcodes":{"0":N,…}}.
func (h *Handler) callStats(r *http.Request) (int, any, error) {
	match, err := callFilter(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	total := 0
	codes := map[string]int{}
	for c, n := range h.b.CallStats(match) {
		total += n
		codes[strconv.Itoa(int(c))] = n
	}
	return 200, map[string]any{"calls": total, "errcodes": codes}, nil
}

func (h *Handler) clearCalls(r *http.Request) (int, any, error) {
	h.b.ClearCalls()
	return 200, map[string]any{"calls": []calllog.Call{}}, nil
}

func (h *Handler) waitCall(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	match, err := callFilter(q)
	if err != nil {
		return 0, nil, err
	}
	ctx, cancel, err := waitCtx(r)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	c, err := h.b.WaitForCallSince(ctx, sinceParam(q), match)
	if err != nil {
		return 0, nil, timeoutError(r, err)
	}
	return 200, c, nil
}

// deliveryFilter matches ?feedback_id=, ?msgtype=, ?appid=, ?delivered=,
// ?failed= and ?done=.
func deliveryFilter(q url.Values) func(push.Delivery) bool {
	return func(d push.Delivery) bool {
		return matches(q, "feedback_id", d.FeedBackID) && matches(q, "msgtype", string(d.MsgType)) &&
			matches(q, "appid", d.AppID) && matches(q, "delivered", strconv.FormatBool(d.Delivered)) &&
			matches(q, "failed", strconv.FormatBool(d.Failed)) && matches(q, "done", strconv.FormatBool(d.Done()))
	}
}

// deliveries lists the delivery log by id: filtered, and paged by
// ?limit=N&after=<id of the last one seen>.
func (h *Handler) deliveries(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	match := deliveryFilter(q)
	limit, err := limitParam(q)
	if err != nil {
		return 0, nil, err
	}
	after, err := strconv.ParseUint(q.Get("after"), 10, 64)
	if err != nil && q.Get("after") != "" {
		return 0, nil, badRequestf("after %q: want a delivery id", text.Clip(q.Get("after"), 16))
	}
	out := []push.Delivery{}
	for _, d := range h.b.Deliveries() {
		if limit > 0 && len(out) == limit {
			break
		}
		if d.ID > after && match(d) {
			out = append(out, d)
		}
	}
	return 200, jsonList[push.Delivery](out), nil
}

func (h *Handler) waitDelivery(r *http.Request) (int, any, error) {
	ctx, cancel, err := waitCtx(r)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	d, err := h.b.WaitForDelivery(ctx, deliveryFilter(r.URL.Query()))
	return 200, d, timeoutError(r, err)
}

func (h *Handler) idle(r *http.Request) (int, any, error) {
	ctx, cancel, err := waitCtx(r)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	if err := h.b.WaitIdle(ctx); err != nil {
		return 0, nil, timeoutError(r, err)
	}
	return 200, map[string]any{"idle": true, "pending_deliveries": h.b.PendingDeliveries()}, nil
}
