package mockwechat

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
)

// adminCall calls the admin API as a CI script would (writes as JSON) and
// decodes the JSON answer into out (when not nil); it returns the status
// and the raw body.
func adminCall(t *testing.T, s *Server, method, path, body string, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, s.URL+path, rd)
	if method != http.MethodGet {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("%s %s: Content-Type %q", method, path, ct)
	}
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return resp.StatusCode, string(b)
}

func TestAdminAPI(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	s, _ := newVirtual(t, Options{})
	expect := func(method, path, body string, want int, out any) string {
		t.Helper()
		got, raw := adminCall(t, s, method, path, body, out)
		if got != want {
			t.Fatalf("%s %s: HTTP %d %s, want %d", method, path, got, raw, want)
		}
		return raw
	}

	var health map[string]any
	expect("GET", "/_mock/health", "", 200, &health)
	if health["status"] != "ok" || health["virtual_clock"] != true {
		t.Fatalf("health: %v", health)
	}
	raw := expect("GET", "/_mock/accounts", "", 200, nil)
	if strings.Contains(raw, demo.Secret) || strings.Contains(raw, demo.PaySignKey) || !strings.Contains(raw, demo.AppID) {
		t.Fatalf("accounts listing shows secrets or misses the appid: %s", raw)
	}
	expect("POST", "/_mock/accounts", `{"appid":"wx2","secret":"s","paysignkey":"k"}`, 201, nil)
	expect("POST", "/_mock/accounts", `{"appid":"wx2","secret":"s","paysignkey":"k"}`, 400, nil)
	expect("POST", "/_mock/accounts", `{"appid":"wx3","secret":"s","paysignkey":"k","typo":1}`, 400, nil)
	expect("PATCH", "/_mock/accounts/"+demo.AppID, `{"notify_url":"`+rc.URL+`"}`, 200, nil)
	expect("PATCH", "/_mock/accounts/wxnope", `{"notify_url":"`+rc.URL+`"}`, 404, nil)
	var reasons []string
	expect("PUT", "/_mock/accounts/"+demo.AppID+"/reasons", `["质量问题","没收到货"]`, 200, &reasons)
	if len(reasons) != 2 {
		t.Fatalf("reasons: %q", reasons)
	}
	expect("PUT", "/_mock/accounts/"+demo.AppID+"/solutions", `["一二三四五六七八九十一二三四五六"]`, 400, nil)
	expect("GET", "/_mock/accounts/"+demo.AppID+"/solutions", "", 200, nil)

	// Two accounts now: appid is required.
	expect("POST", "/_mock/complaints", `{"openid":"o1"}`, 400, nil)
	var c Complaint
	expect("POST", "/_mock/complaints", `{"appid":"`+demo.AppID+`","openid":"o1","transid":"1000","reason":"质量问题","solution":"退款","ext_info":"tel 1","pic_urls":["http://p/1"],"goods":"physical","shipped":true}`, 201, &c)
	if c.FeedBackID == "" || c.State != StateFiled || c.Goods != payfeedback.GoodsPhysical || c.Reason != "质量问题" {
		t.Fatalf("filed: %+v", c)
	}
	var d Delivery
	expect("GET", "/_mock/deliveries/wait?done=true&feedback_id="+c.FeedBackID, "", 200, &d)
	if !d.Delivered || d.MsgType != payfeedback.MsgRequest {
		t.Fatalf("delivery: %+v", d)
	}
	var ds []Delivery
	expect("GET", "/_mock/deliveries?failed=true", "", 200, &ds)
	if len(ds) != 0 {
		t.Fatalf("failed deliveries: %+v", ds)
	}
	expect("POST", "/_mock/complaints/"+c.FeedBackID+"/reject", "", 409, nil)
	expect("POST", "/_mock/complaints/nope/confirm", "", 404, nil)

	// The merchant handles it through the real API; CI waits for the call.
	tok := getToken(t, s, demo)
	update(t, s, tok, "o1", c.FeedBackID)
	var call Call
	expect("GET", "/_mock/calls/wait?endpoint=/payfeedback/update&feedbackid="+c.FeedBackID+"&timeout=5s", "", 200, &call)
	if call.ErrCode != 0 || call.AppID != demo.AppID {
		t.Fatalf("waited call: %+v", call)
	}
	expect("GET", "/_mock/calls/wait?endpoint=/never&timeout=1ms", "", 408, nil)
	var calls struct {
		Calls []Call `json:"calls"`
		Next  uint64 `json:"next"`
	}
	expect("GET", "/_mock/calls?endpoint=/cgi-bin/token", "", 200, &calls)
	if len(calls.Calls) != 1 || calls.Calls[0].Query.Get("secret") != "***" {
		t.Fatalf("token calls: %+v", calls)
	}
	var stats struct {
		Calls    int            `json:"calls"`
		ErrCodes map[string]int `json:"errcodes"`
	}
	expect("GET", "/_mock/calls/stats", "", 200, &stats)
	if stats.Calls != 2 || stats.ErrCodes["0"] != 2 {
		t.Fatalf("call stats: %+v", stats)
	}
	expect("GET", "/_mock/calls/stats?errcode=x", "", 400, nil)
	expect("GET", "/_mock/complaints/"+c.FeedBackID+"/wait?state=handled", "", 200, &c)
	expect("POST", "/_mock/complaints/"+c.FeedBackID+"/reject", `{"reason":"还是坏的"}`, 200, &c)
	if c.State != StateRejected || c.RejectReason != "还是坏的" {
		t.Fatalf("rejected: %+v", c)
	}
	expect("POST", "/_mock/complaints/"+c.FeedBackID+"/arbitration", "", 200, &c)
	expect("POST", "/_mock/complaints/"+c.FeedBackID+"/evidence", `{"note":"tracking 1","pic_urls":["http://e/1"]}`, 200, &c)
	expect("POST", "/_mock/complaints/"+c.FeedBackID+"/arbitrate", `{"for":"nobody"}`, 400, nil)
	expect("POST", "/_mock/complaints/"+c.FeedBackID+"/arbitrate", `{"for":"user"}`, 200, &c)
	if c.Arbitration == nil || c.Arbitration.State != ArbitrationDecidedForUser {
		t.Fatalf("arbitrated: %+v", c.Arbitration)
	}
	var list []Complaint
	expect("GET", "/_mock/complaints?state=rejected&appid="+demo.AppID, "", 200, &list)
	if len(list) != 1 {
		t.Fatalf("complaints filter: %d", len(list))
	}

	// Users, orders, media, inbox.
	expect("POST", "/_mock/users", `{"appid":"`+demo.AppID+`","openid":"o9"}`, 200, nil)
	expect("GET", "/_mock/users/o9?appid="+demo.AppID, "", 200, nil)
	expect("GET", "/_mock/users/o9?appid=wx2", "", 404, nil)
	var o Order
	expect("POST", "/_mock/orders", `{"appid":"`+demo.AppID+`","openid":"o9","goods":"virtual"}`, 201, &o)
	expect("GET", "/_mock/orders/"+o.TransID, "", 200, nil)
	var m Media
	expect("POST", "/_mock/media", `{"appid":"`+demo.AppID+`","type":"image"}`, 201, &m)
	tok = getToken(t, s, demo)
	if a := send(t, s, tok, `{"touser":"o9","msgtype":"image","image":{"media_id":"`+m.MediaID+`"}}`); a.ErrCode != 0 {
		t.Fatalf("send with admin media: %s", a.raw)
	}
	var inbox []Message
	expect("GET", "/_mock/inbox/o9", "", 200, &inbox)
	if len(inbox) != 1 || inbox[0].MsgType != "image" {
		t.Fatalf("inbox: %+v", inbox)
	}

	// Clock and faults.
	var clock map[string]any
	expect("POST", "/_mock/clock/advance", `{"by":"1h"}`, 200, &clock)
	expect("POST", "/_mock/clock/advance?by=30m", "", 200, &clock)
	if clock["now"] != "2025-03-01T11:30:00Z" {
		t.Fatalf("clock: %v", clock)
	}
	expect("POST", "/_mock/clock/advance", `{"by":"soon"}`, 400, nil)
	expect("POST", "/_mock/faults", `{"endpoint":"/cgi-bin/token","errcode":-1,"count":2}`, 201, nil)
	expect("POST", "/_mock/faults", `{"endpoint":"push","delay":"1m"}`, 201, nil)
	expect("POST", "/_mock/faults", `{"endpoint":"push","delay":"often"}`, 400, nil)
	expect("POST", "/_mock/faults", `{"endpoint":"/nope","drop":true}`, 400, nil)
	expect("POST", "/_mock/faults", `{"endpoint":"pay-api","code":"SYSTEM_ERROR"}`, 400, nil) // Complaints 2.0 is off here
	var faults []struct {
		Count int    `json:"count"`
		Delay string `json:"delay"`
	}
	expect("GET", "/_mock/faults", "", 200, &faults)
	if len(faults) != 2 || faults[1].Delay != "1m0s" || faults[0].Count != 2 {
		t.Fatalf("faults: %+v", faults)
	}
	expect("DELETE", "/_mock/faults", "", 200, nil)
	expect("GET", "/_mock/idle", "", 200, nil)
	expect("DELETE", "/_mock/calls", "", 200, nil)
	expect("GET", "/_mock/nope", "", 404, nil)
	expect("DELETE", "/_mock/health", "", 404, nil)
}

func TestAdminAdvanceRealClock(t *testing.T) {
	s := NewServer(Options{})
	defer s.Close()
	if got, raw := adminCall(t, s, "POST", "/_mock/clock/advance", `{"by":"1h"}`, nil); got != 409 || !strings.Contains(raw, "virtual") {
		t.Fatalf("advance on real time: %d %s", got, raw)
	}
}

func TestAdminLongPollEndsOnClose(t *testing.T) {
	s := NewServer(Options{})
	done := make(chan int)
	go func() {
		resp, err := http.Get(s.URL + "/_mock/calls/wait?endpoint=/never&timeout=120s")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	// Wait until the long poll is waiting on the feed.
	eventually(t, "the long poll waiting on the feed", s.feed.Listening)
	s.Close()
	if code := <-done; code != http.StatusServiceUnavailable && code != 0 {
		t.Fatalf("long poll answered %d on close, want 503", code)
	}
}

// TestAdminPaging: long listings are paged: ?limit=N, then ?after= the last
// id seen (complaints, deliveries) or ?since= the next seq (calls).
func TestAdminPaging(t *testing.T) {
	s, _ := newVirtual(t, Options{Accounts: []Account{{AppID: "wxa", Secret: "s", PaySignKey: "k",
		NotifyURL: newHandlerServer(t, okHandler()).URL}}})
	ctx := testCtx(t)
	var ids []string
	for range 5 {
		c, err := s.FileComplaint(ctx, ComplaintSpec{})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.FeedBackID)
		do(t, s, "GET", payfeedback.PathToken, nil, "")
	}
	s.WaitIdle(ctx)
	var page []Complaint
	adminCall(t, s, "GET", "/_mock/complaints?limit=2", "", &page)
	if len(page) != 2 || page[0].FeedBackID != ids[0] || page[1].FeedBackID != ids[1] {
		t.Fatalf("first page of complaints: %d", len(page))
	}
	adminCall(t, s, "GET", "/_mock/complaints?limit=2&after="+page[1].FeedBackID, "", &page)
	if len(page) != 2 || page[0].FeedBackID != ids[2] || page[1].FeedBackID != ids[3] {
		t.Fatalf("second page of complaints: %+v", page)
	}
	if code, _ := adminCall(t, s, "GET", "/_mock/complaints?after=nope", "", nil); code != http.StatusNotFound {
		t.Fatalf("after an unknown complaint: HTTP %d, want 404", code)
	}
	var ds []Delivery
	adminCall(t, s, "GET", "/_mock/deliveries?limit=3&after=1", "", &ds)
	if len(ds) != 3 || ds[0].ID != 2 || ds[2].ID != 4 {
		t.Fatalf("a page of deliveries: %+v", ds)
	}
	var calls struct {
		Calls []Call `json:"calls"`
		Next  uint64 `json:"next"`
	}
	adminCall(t, s, "GET", "/_mock/calls?limit=2&since=2", "", &calls)
	if len(calls.Calls) != 2 || calls.Calls[0].Seq != 2 || calls.Next != 4 {
		t.Fatalf("a page of calls: %d calls, next %d", len(calls.Calls), calls.Next)
	}
}

// TestAdminComplaintsDefaultPage: GET /_mock/complaints without ?limit=
// answers a page of 100, with a Link header to the next page (which
// keeps the filters); ?limit=0 answers every one. Before, it answered
// every complaint (5,001 complaints: 1.86 MB).
func TestAdminComplaintsDefaultPage(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	ctx := testCtx(t)
	var ids []string
	for i := range 150 {
		c, err := s.FileComplaint(ctx, ComplaintSpec{OpenID: fmt.Sprintf("o%d", i%2)})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, c.FeedBackID)
	}
	get := func(path string) ([]Complaint, string) {
		t.Helper()
		resp, err := s.Client().Get(s.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var page []Complaint
		if err := json.NewDecoder(resp.Body).Decode(&page); err != nil {
			t.Fatalf("GET %s: %v", path, err)
		}
		return page, resp.Header.Get("Link")
	}
	page, link := get("/_mock/complaints")
	wantLink := `</_mock/complaints?after=` + ids[99] + `&limit=100>; rel="next"`
	if len(page) != 100 || page[99].FeedBackID != ids[99] || link != wantLink {
		t.Fatalf("GET /_mock/complaints: %d complaints, Link %q; want 100 and %q", len(page), link, wantLink)
	}
	next := strings.TrimSuffix(strings.TrimPrefix(link, "<"), `>; rel="next"`)
	if page, link = get(next); len(page) != 50 || page[0].FeedBackID != ids[100] || link != "" {
		t.Fatalf("the next page: %d complaints from %s, Link %q; want the last 50 and none", len(page), page[0].FeedBackID, link)
	}
	if page, link = get("/_mock/complaints?limit=0"); len(page) != 150 || link != "" {
		t.Fatalf("?limit=0: %d complaints, Link %q; want all 150", len(page), link)
	}
	page, link = get("/_mock/complaints?openid=o1&limit=50")
	if len(page) != 50 || !strings.Contains(link, "openid=o1") || !strings.Contains(link, "after="+ids[99]) {
		t.Fatalf("a filtered page: %d complaints, Link %q", len(page), link)
	}
	if page, link = get("/_mock/complaints?openid=o1&limit=50&after=" + ids[99]); len(page) != 25 || link != "" {
		t.Fatalf("the filtered next page: %d complaints, Link %q", len(page), link)
	}
}
