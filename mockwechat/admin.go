package mockwechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback"
)

// The admin API: the Go API as JSON under /_mock/, for CI in any language.
// It is unauthenticated: serve it on loopback only. README.md lists every
// endpoint with curl examples.

const (
	maxAdminBody   = 1 << 20
	defaultWait    = 10 * time.Second
	maxWait        = 120 * time.Second
	maskedAdminKey = "***"
)

func (s *Server) adminMux() *http.ServeMux {
	m := http.NewServeMux()
	h := func(pattern string, f func(r *http.Request) (int, any, error)) {
		m.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
			status, v, err := f(r)
			if err != nil {
				writeAdminError(w, err)
				return
			}
			writeAdminJSON(w, status, v)
		})
	}
	h("GET /_mock/health", s.adminHealth)
	h("GET /_mock/accounts", s.adminAccounts)
	h("POST /_mock/accounts", s.adminAddAccount)
	h("PATCH /_mock/accounts/{appid}", s.adminPatchAccount)
	h("GET /_mock/accounts/{appid}/reasons", s.adminChoices(false, false))
	h("PUT /_mock/accounts/{appid}/reasons", s.adminChoices(false, true))
	h("GET /_mock/accounts/{appid}/solutions", s.adminChoices(true, false))
	h("PUT /_mock/accounts/{appid}/solutions", s.adminChoices(true, true))
	h("POST /_mock/users", s.adminInteract)
	h("GET /_mock/users/{openid}", s.adminUser)
	h("GET /_mock/inbox/{openid}", s.adminInbox)
	h("POST /_mock/orders", s.adminAddOrder)
	h("GET /_mock/orders/{transid}", s.adminOrder)
	h("POST /_mock/media", s.adminAddMedia)
	h("POST /_mock/complaints", s.adminFile)
	h("GET /_mock/complaints", s.adminComplaints)
	h("GET /_mock/complaints/{id}", s.adminComplaint)
	h("GET /_mock/complaints/{id}/wait", s.adminWaitComplaint)
	h("POST /_mock/complaints/{id}/confirm", s.adminConfirm)
	h("POST /_mock/complaints/{id}/reject", s.adminReject)
	h("POST /_mock/complaints/{id}/arbitration", s.adminRequestArbitration)
	h("POST /_mock/complaints/{id}/evidence", s.adminEvidence)
	h("POST /_mock/complaints/{id}/arbitrate", s.adminArbitrate)
	h("GET /_mock/clock", s.adminClock)
	h("POST /_mock/clock/advance", s.adminAdvance)
	h("GET /_mock/faults", s.adminFaults)
	h("POST /_mock/faults", s.adminAddFault)
	h("DELETE /_mock/faults", s.adminClearFaults)
	h("GET /_mock/calls", s.adminCalls)
	h("DELETE /_mock/calls", s.adminClearCalls)
	h("GET /_mock/calls/wait", s.adminWaitCall)
	h("GET /_mock/calls/stats", s.adminCallStats)
	h("GET /_mock/deliveries", s.adminDeliveries)
	h("GET /_mock/deliveries/wait", s.adminWaitDelivery)
	h("GET /_mock/idle", s.adminIdle)
	m.HandleFunc("/_mock/", func(w http.ResponseWriter, r *http.Request) {
		writeAdminJSON(w, http.StatusNotFound, adminError{Error: fmt.Sprintf(
			"no admin endpoint %s %s: see mockwechat/README.md for the list", r.Method, clip(r.URL.Path, 128))})
	})
	m.HandleFunc("/_mock", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/_mock/health", http.StatusFound)
	})
	return m
}

type adminError struct {
	Error string `json:"error"`
}

// badRequest marks an admin error as the caller's (HTTP 400).
type badRequest struct{ error }

func writeAdminError(w http.ResponseWriter, err error) {
	status := http.StatusBadRequest
	switch {
	case errors.Is(err, ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, ErrState):
		status = http.StatusConflict
	case errors.Is(err, ErrClosed):
		status = http.StatusServiceUnavailable
	case errors.Is(err, context.DeadlineExceeded):
		status = http.StatusRequestTimeout
	}
	writeAdminJSON(w, status, adminError{Error: err.Error()})
}

func writeAdminJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

// decodeBody reads a JSON body strictly (unknown fields are refused, so a
// typo in a CI script says so). An empty body leaves v as it is.
func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, maxAdminBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.EOF) {
			return nil
		}
		return badRequest{fmt.Errorf("mockwechat: admin: bad JSON body: %v", err)}
	}
	return nil
}

// timeoutError explains a long poll that matched nothing in time.
func timeoutError(r *http.Request, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		t := r.URL.Query().Get("timeout")
		if t == "" {
			t = defaultWait.String()
		}
		return fmt.Errorf("mockwechat: admin: nothing matched within %s (raise ?timeout=, at most %s): %w", t, maxWait, err)
	}
	return err
}

// waitCtx bounds a long poll by ?timeout= (default 10 s, at most 120 s).
func waitCtx(r *http.Request) (context.Context, context.CancelFunc, error) {
	d := defaultWait
	if v := r.URL.Query().Get("timeout"); v != "" {
		var err error
		if d, err = time.ParseDuration(v); err != nil || d < 0 {
			return nil, nil, badRequest{fmt.Errorf("mockwechat: admin: timeout %q: want a Go duration such as 10s", clip(v, 32))}
		}
		d = min(d, maxWait)
	}
	ctx, cancel := context.WithTimeout(r.Context(), d)
	return ctx, cancel, nil
}

func (s *Server) adminHealth(r *http.Request) (int, any, error) {
	s.mu.Lock()
	n := len(s.accounts)
	s.mu.Unlock()
	return 200, map[string]any{"status": "ok", "now": s.Now(), "virtual_clock": s.vclock != nil, "accounts": n}, nil
}

// accountView is an account as the admin API shows it: secrets masked.
type accountView struct {
	AppID            string   `json:"appid"`
	Secret           string   `json:"secret"`
	PaySignKey       string   `json:"paysignkey"`
	NotifyURL        string   `json:"notify_url"`
	NoPayPermission  bool     `json:"no_pay_permission"`
	TokenCallsPerDay int      `json:"token_calls_per_day,omitempty"`
	Reasons          []string `json:"reasons"`
	Solutions        []string `json:"solutions"`
}

func (s *Server) accountViews() []accountView {
	out := []accountView{}
	for _, a := range s.Accounts() {
		out = append(out, accountView{AppID: a.AppID, Secret: maskedAdminKey, PaySignKey: maskedAdminKey,
			NotifyURL: a.NotifyURL, NoPayPermission: a.NoPayPermission, TokenCallsPerDay: a.TokenCallsPerDay,
			Reasons: nonNil(a.Reasons), Solutions: nonNil(a.Solutions)})
	}
	return out
}

func nonNil(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

func (s *Server) accountView(appID string) (accountView, error) {
	for _, v := range s.accountViews() {
		if v.AppID == appID {
			return v, nil
		}
	}
	return accountView{}, fmt.Errorf("mockwechat: no account %s: %w", clip(appID, 64), ErrNotFound)
}

func (s *Server) adminAccounts(r *http.Request) (int, any, error) {
	return 200, s.accountViews(), nil
}

func (s *Server) adminAddAccount(r *http.Request) (int, any, error) {
	var a Account
	if err := decodeBody(r, &a); err != nil {
		return 0, nil, err
	}
	if err := s.AddAccount(a); err != nil {
		return 0, nil, err
	}
	v, err := s.accountView(a.AppID)
	return http.StatusCreated, v, err
}

func (s *Server) adminPatchAccount(r *http.Request) (int, any, error) {
	appID := r.PathValue("appid")
	var p struct {
		NotifyURL     *string `json:"notify_url"`
		PayPermission *bool   `json:"pay_permission"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	if p.NotifyURL != nil {
		if err := s.SetNotifyURL(appID, *p.NotifyURL); err != nil {
			return 0, nil, err
		}
	}
	if p.PayPermission != nil {
		if err := s.SetPayPermission(appID, *p.PayPermission); err != nil {
			return 0, nil, err
		}
	}
	v, err := s.accountView(appID)
	return 200, v, err
}

func (s *Server) adminChoices(solutions, set bool) func(r *http.Request) (int, any, error) {
	return func(r *http.Request) (int, any, error) {
		appID := r.PathValue("appid")
		if set {
			var items []string
			if err := decodeBody(r, &items); err != nil {
				return 0, nil, err
			}
			var err error
			if solutions {
				err = s.SetSolutions(appID, items)
			} else {
				err = s.SetReasons(appID, items)
			}
			if err != nil {
				return 0, nil, err
			}
		}
		if _, err := s.accountView(appID); err != nil {
			return 0, nil, err
		}
		if solutions {
			return 200, nonNil(s.Solutions(appID)), nil
		}
		return 200, nonNil(s.Reasons(appID)), nil
	}
}

func (s *Server) adminInteract(r *http.Request) (int, any, error) {
	var p struct {
		AppID  string `json:"appid"`
		OpenID string `json:"openid"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	u, err := s.Interact(p.AppID, p.OpenID)
	return 200, u, err
}

// appIDParam returns ?appid=, or the only account's.
func (s *Server) appIDParam(r *http.Request) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, err := s.accountLocked(r.URL.Query().Get("appid"))
	if err != nil {
		return "", err
	}
	return a.AppID, nil
}

func (s *Server) adminUser(r *http.Request) (int, any, error) {
	appID, err := s.appIDParam(r)
	if err != nil {
		return 0, nil, err
	}
	u, ok := s.User(appID, r.PathValue("openid"))
	if !ok {
		return 0, nil, fmt.Errorf("mockwechat: no user %s of %s: %w", clip(r.PathValue("openid"), 64), appID, ErrNotFound)
	}
	return 200, u, nil
}

func (s *Server) adminInbox(r *http.Request) (int, any, error) {
	if r.URL.Query().Get("appid") == "" {
		return 200, s.Inbox(r.PathValue("openid")), nil
	}
	return 200, s.InboxOf(r.URL.Query().Get("appid"), r.PathValue("openid")), nil
}

func (s *Server) adminAddOrder(r *http.Request) (int, any, error) {
	var o Order
	if err := decodeBody(r, &o); err != nil {
		return 0, nil, err
	}
	o, err := s.AddOrder(o)
	return http.StatusCreated, o, err
}

func (s *Server) adminOrder(r *http.Request) (int, any, error) {
	o, ok := s.Order(r.PathValue("transid"))
	if !ok {
		return 0, nil, fmt.Errorf("mockwechat: no order %s: %w", clip(r.PathValue("transid"), 64), ErrNotFound)
	}
	return 200, o, nil
}

func (s *Server) adminAddMedia(r *http.Request) (int, any, error) {
	var p struct {
		AppID string `json:"appid"`
		Type  string `json:"type"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	m, err := s.AddMedia(p.AppID, p.Type)
	return http.StatusCreated, m, err
}

func (s *Server) adminFile(r *http.Request) (int, any, error) {
	var spec ComplaintSpec
	if err := decodeBody(r, &spec); err != nil {
		return 0, nil, err
	}
	c, err := s.FileComplaint(r.Context(), spec)
	return http.StatusCreated, c, err
}

func (s *Server) adminComplaints(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	out := []Complaint{}
	for _, c := range s.Complaints() {
		if (q.Get("appid") == "" || q.Get("appid") == c.AppID) &&
			(q.Get("openid") == "" || q.Get("openid") == c.OpenID) &&
			(q.Get("state") == "" || q.Get("state") == string(c.State)) &&
			(q.Get("overdue") == "" || q.Get("overdue") == strconv.FormatBool(c.Overdue)) {
			out = append(out, c)
		}
	}
	return 200, out, nil
}

func (s *Server) adminComplaint(r *http.Request) (int, any, error) {
	c, ok := s.Complaint(r.PathValue("id"))
	if !ok {
		return 0, nil, fmt.Errorf("mockwechat: complaint %s: %w", clip(r.PathValue("id"), 64), ErrNotFound)
	}
	return 200, c, nil
}

// adminWaitComplaint waits until the complaint has ?state= (and, with
// ?overdue=true, is overdue; with ?updates=N, has N updates or more).
func (s *Server) adminWaitComplaint(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	ctx, cancel, err := waitCtx(r)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	minUpdates, _ := strconv.Atoi(q.Get("updates"))
	c, err := s.WaitForComplaint(ctx, r.PathValue("id"), func(c Complaint) bool {
		return (q.Get("state") == "" || q.Get("state") == string(c.State)) &&
			(q.Get("overdue") == "" || q.Get("overdue") == strconv.FormatBool(c.Overdue)) &&
			c.Updates >= minUpdates
	})
	return 200, c, timeoutError(r, err)
}

func (s *Server) adminConfirm(r *http.Request) (int, any, error) {
	id := r.PathValue("id")
	if err := s.Confirm(r.Context(), id); err != nil {
		return 0, nil, err
	}
	return s.adminComplaint(r)
}

func (s *Server) adminReject(r *http.Request) (int, any, error) {
	var p struct {
		Reason string `json:"reason"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	if err := s.RejectWithReason(r.Context(), r.PathValue("id"), p.Reason); err != nil {
		return 0, nil, err
	}
	return s.adminComplaint(r)
}

func (s *Server) adminRequestArbitration(r *http.Request) (int, any, error) {
	if err := s.RequestArbitration(r.Context(), r.PathValue("id")); err != nil {
		return 0, nil, err
	}
	return s.adminComplaint(r)
}

func (s *Server) adminEvidence(r *http.Request) (int, any, error) {
	var p struct {
		Note    string   `json:"note"`
		PicURLs []string `json:"pic_urls"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	if err := s.SubmitEvidence(r.Context(), r.PathValue("id"), p.Note, p.PicURLs); err != nil {
		return 0, nil, err
	}
	return s.adminComplaint(r)
}

func (s *Server) adminArbitrate(r *http.Request) (int, any, error) {
	var p struct {
		For string `json:"for"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	if p.For != "user" && p.For != "merchant" {
		return 0, nil, badRequest{errors.New(`mockwechat: admin: arbitrate needs {"for":"user"} or {"for":"merchant"}`)}
	}
	if err := s.Arbitrate(r.Context(), r.PathValue("id"), p.For == "user"); err != nil {
		return 0, nil, err
	}
	return s.adminComplaint(r)
}

func (s *Server) clockView() map[string]any {
	v := map[string]any{"now": s.Now(), "virtual": s.vclock != nil}
	if s.vclock != nil {
		v["pending_events"] = s.vclock.Pending()
	}
	return v
}

func (s *Server) adminClock(r *http.Request) (int, any, error) {
	return 200, s.clockView(), nil
}

// adminAdvance moves the virtual clock by {"by":"15m"} (or ?by=15m).
func (s *Server) adminAdvance(r *http.Request) (int, any, error) {
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
		return 0, nil, badRequest{fmt.Errorf(`mockwechat: admin: advance needs {"by":"<Go duration>"}, e.g. "15m" or "360h"`)}
	}
	if s.vclock == nil {
		return 0, nil, fmt.Errorf("mockwechat: the clock is real time: start the fake with a virtual clock (payfeedback mock --virtual-clock) to advance it: %w", ErrState)
	}
	s.vclock.Advance(d)
	return 200, s.clockView(), nil
}

// faultJSON is a Fault as the admin API reads and writes it: the outer
// Delay, a Go duration string such as "2s", hides the Fault's nanoseconds
// under the same JSON name.
type faultJSON struct {
	Fault
	Delay string `json:"delay,omitempty"`
}

func (s *Server) adminFaults(r *http.Request) (int, any, error) {
	out := []faultJSON{}
	for _, f := range s.Faults() {
		fj := faultJSON{Fault: f}
		if f.Delay > 0 {
			fj.Delay = f.Delay.String()
		}
		out = append(out, fj)
	}
	return 200, out, nil
}

func (s *Server) adminAddFault(r *http.Request) (int, any, error) {
	var fj faultJSON
	if err := decodeBody(r, &fj); err != nil {
		return 0, nil, err
	}
	f := fj.Fault
	if fj.Delay != "" {
		d, err := time.ParseDuration(fj.Delay)
		if err != nil {
			return 0, nil, badRequest{fmt.Errorf("mockwechat: admin: fault delay %q: want a Go duration such as 2s", clip(fj.Delay, 32))}
		}
		f.Delay = d
	}
	if err := s.AddFault(f); err != nil {
		return 0, nil, err
	}
	return s.adminFaultsCreated(r)
}

func (s *Server) adminFaultsCreated(r *http.Request) (int, any, error) {
	_, v, err := s.adminFaults(r)
	return http.StatusCreated, v, err
}

func (s *Server) adminClearFaults(r *http.Request) (int, any, error) {
	s.ClearFaults()
	return 200, []faultJSON{}, nil
}

// callJSON is a Call with its body as text.
type callJSON struct {
	Seq      uint64                `json:"seq"`
	Time     time.Time             `json:"time"`
	Endpoint string                `json:"endpoint"`
	Method   string                `json:"method"`
	AppID    string                `json:"appid,omitempty"`
	Query    url.Values            `json:"query,omitempty"`
	Body     string                `json:"body,omitempty"`
	ErrCode  payfeedback.ErrorCode `json:"errcode"`
	Answer   string                `json:"answer,omitempty"`
	Status   int                   `json:"status"`
	Fault    string                `json:"fault,omitempty"`
}

func toCallJSON(c Call) callJSON {
	return callJSON{c.Seq, c.Time, c.Endpoint, c.Method, c.AppID, c.Query, string(c.Body), c.ErrCode, string(c.Answer), c.Status, c.Fault}
}

// callFilter matches ?endpoint=, ?appid=, ?errcode= and any other
// parameter (except since and timeout) against the call's query.
func callFilter(q url.Values) (func(Call) bool, error) {
	var code *payfeedback.ErrorCode
	if v := q.Get("errcode"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return nil, badRequest{fmt.Errorf("mockwechat: admin: errcode %q is not a number", clip(v, 16))}
		}
		c := payfeedback.ErrorCode(n)
		code = &c
	}
	return func(c Call) bool {
		for k, vs := range q {
			switch k {
			case "since", "timeout":
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

func (s *Server) adminCalls(r *http.Request) (int, any, error) {
	q := r.URL.Query()
	match, err := callFilter(q)
	if err != nil {
		return 0, nil, err
	}
	calls, next := s.calls.since(sinceParam(q))
	out := []callJSON{}
	for _, c := range calls {
		if match(c) {
			out = append(out, toCallJSON(c))
		}
	}
	return 200, map[string]any{"calls": out, "next": next}, nil
}

// adminCallStats counts the logged calls matching the filters of
// adminCalls by errcode: {"calls":N,"errcodes":{"0":N,…}}.
func (s *Server) adminCallStats(r *http.Request) (int, any, error) {
	match, err := callFilter(r.URL.Query())
	if err != nil {
		return 0, nil, err
	}
	stats := s.CallStats(match)
	total := 0
	codes := make(map[string]int, len(stats))
	for c, n := range stats {
		total += n
		codes[strconv.Itoa(int(c))] = n
	}
	return 200, map[string]any{"calls": total, "errcodes": codes}, nil
}

func (s *Server) adminClearCalls(r *http.Request) (int, any, error) {
	s.ClearCalls()
	return 200, map[string]any{"calls": []callJSON{}}, nil
}

func (s *Server) adminWaitCall(r *http.Request) (int, any, error) {
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
	c, err := s.waitForCallSince(ctx, sinceParam(q), match)
	if err != nil {
		return 0, nil, timeoutError(r, err)
	}
	return 200, toCallJSON(c), nil
}

// deliveryFilter matches ?feedback_id=, ?msgtype=, ?appid=, ?delivered=,
// ?failed= and ?done=.
func deliveryFilter(q url.Values) func(Delivery) bool {
	return func(d Delivery) bool {
		return (q.Get("feedback_id") == "" || q.Get("feedback_id") == d.FeedBackID) &&
			(q.Get("msgtype") == "" || q.Get("msgtype") == string(d.MsgType)) &&
			(q.Get("appid") == "" || q.Get("appid") == d.AppID) &&
			(q.Get("delivered") == "" || q.Get("delivered") == strconv.FormatBool(d.Delivered)) &&
			(q.Get("failed") == "" || q.Get("failed") == strconv.FormatBool(d.Failed)) &&
			(q.Get("done") == "" || q.Get("done") == strconv.FormatBool(d.Done()))
	}
}

func (s *Server) adminDeliveries(r *http.Request) (int, any, error) {
	match := deliveryFilter(r.URL.Query())
	out := []Delivery{}
	for _, d := range s.Deliveries() {
		if match(d) {
			out = append(out, d)
		}
	}
	return 200, out, nil
}

func (s *Server) adminWaitDelivery(r *http.Request) (int, any, error) {
	ctx, cancel, err := waitCtx(r)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	d, err := s.WaitForDelivery(ctx, deliveryFilter(r.URL.Query()))
	return 200, d, timeoutError(r, err)
}

func (s *Server) adminIdle(r *http.Request) (int, any, error) {
	ctx, cancel, err := waitCtx(r)
	if err != nil {
		return 0, nil, err
	}
	defer cancel()
	if err := s.WaitIdle(ctx); err != nil {
		return 0, nil, timeoutError(r, err)
	}
	return 200, map[string]any{"idle": true, "pending_deliveries": s.pushes.pendingCount()}, nil
}
