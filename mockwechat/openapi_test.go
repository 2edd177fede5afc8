package mockwechat

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/admin"
)

// TestOpenAPIDocumentIsValid: GET /_mock/openapi.json is a valid OpenAPI
// 3.1 document (openAPIChecker says what that checks).
func TestOpenAPIDocumentIsValid(t *testing.T) {
	for _, err := range openAPIValidator(t).ValidateDocument() {
		t.Errorf("openapi.json: %v", err)
	}
}

func openAPIValidator(t *testing.T) *openAPIChecker {
	t.Helper()
	return newOpenAPIChecker(t, admin.OpenAPI())
}

// TestOpenAPIMatchesRoutes: every endpoint the admin API registers is in
// the document, and every operation of the document is served.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(admin.OpenAPI(), &doc); err != nil {
		t.Fatal(err)
	}
	documented := map[admin.Route]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[admin.Route{Method: strings.ToUpper(method), Path: path}] = true
		}
	}
	fake := NewServer(Options{})
	defer fake.Close()
	served := map[admin.Route]bool{}
	for _, rt := range fake.admin.Routes() {
		served[rt] = true
		if !documented[rt] {
			t.Errorf("%s %s is served but not in openapi.json", rt.Method, rt.Path)
		}
	}
	for rt := range documented {
		if !served[rt] {
			t.Errorf("%s %s is in openapi.json but not served", rt.Method, rt.Path)
		}
	}
	// and the index lists them all, each with its line
	var index struct {
		Endpoints []struct{ Method, Path, Summary string } `json:"endpoints"`
	}
	resp, err := fake.Client().Get(fake.URL + "/_mock/")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&index); err != nil {
		t.Fatal(err)
	}
	if len(index.Endpoints) != len(served) {
		t.Errorf("the index lists %d endpoints, the server serves %d", len(index.Endpoints), len(served))
	}
	for _, e := range index.Endpoints {
		if e.Summary == "" || !served[admin.Route{Method: e.Method, Path: e.Path}] {
			t.Errorf("index entry %+v: want a served endpoint with a summary", e)
		}
	}
}

// TestOpenAPIAnswersValidate drives every endpoint with real requests and
// checks each answer, errors included, against the document's schemas.
func TestOpenAPIAnswersValidate(t *testing.T) {
	v := openAPIValidator(t)
	clk := NewVirtualClock(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC))
	receiver := newReceiver(t, DemoAccount().PaySignKey)
	fake := NewServer(Options{Clock: clk, Pay: &PayOptions{KeysDir: payKeys(t)}})
	defer fake.Close()
	demo := DemoAccount()
	fake.SetNotifyURL(demo.AppID, receiver.URL)
	ctx := context.Background()

	covered := map[admin.Route]bool{}
	do := func(method, path, body string, wantStatus int) []byte {
		t.Helper()
		req, err := http.NewRequest(method, fake.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if body != "" || method != http.MethodGet {
			req.Header.Set("Content-Type", "application/json")
		}
		resp, err := fake.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != wantStatus {
			t.Fatalf("%s %s: HTTP %d %s, want %d", method, path, resp.StatusCode, b, wantStatus)
		}
		if errs := v.ValidateResponse(req, resp.StatusCode, resp.Header.Get("Content-Type"), b); len(errs) > 0 {
			for _, e := range errs {
				t.Errorf("%s %s: the answer does not fit openapi.json: %v", method, path, e)
			}
			t.Logf("answer: %s", b)
		}
		covered[fakeRoute(fake, method, req.URL.Path)] = true
		return b
	}
	var c Complaint
	json.Unmarshal(do("POST", "/_mock/complaints", `{"openid":"o-user","reason":"没收到货","solution":"退款","goods":"physical","pic_urls":["http://127.0.0.1/p.png"]}`, 201), &c)
	if _, err := fake.WaitForDelivery(ctx, DeliveryDone(c.FeedBackID, payfeedback.MsgRequest)); err != nil {
		t.Fatal(err)
	}
	tok, _ := fake.Token(demo.AppID)
	fake.Client().Get(fake.URL + payfeedback.PathUpdateFeedback + "?access_token=" + tok + "&openid=o-user&feedbackid=" + c.FeedBackID)
	fake.Client().Post(fake.URL+payfeedback.PathSendMessage+"?access_token="+tok, "application/json",
		strings.NewReader(`{"touser":"o-user","msgtype":"text","text":{"content":"您好"}}`))

	do("GET", "/_mock/", "", 200)
	do("GET", "/_mock/openapi.json", "", 200)
	do("GET", "/_mock/health", "", 200)
	do("GET", "/_mock/accounts", "", 200)
	do("POST", "/_mock/accounts", `{"appid":"wxsecond","secret":"s","paysignkey":"k","reasons":["质量问题"]}`, 201)
	do("POST", "/_mock/accounts", `{"appid":"wxsecond","secret":"s","paysignkey":"k"}`, 400)
	do("PATCH", "/_mock/accounts/wxsecond", `{"pay_permission":false}`, 200)
	do("GET", "/_mock/accounts/wxsecond/reasons", "", 200)
	do("PUT", "/_mock/accounts/wxsecond/reasons", `["没收到货","质量问题"]`, 200)
	do("PUT", "/_mock/accounts/wxsecond/reasons", `["这是一个超过十五个字的投诉原因，太长了"]`, 400)
	do("GET", "/_mock/accounts/wxsecond/solutions", "", 200)
	do("PUT", "/_mock/accounts/wxsecond/solutions", `["退款"]`, 200)
	do("POST", "/_mock/users", `{"appid":"`+demo.AppID+`","openid":"o-user"}`, 200)
	do("GET", "/_mock/users/o-user?appid="+demo.AppID, "", 200)
	do("GET", "/_mock/users/nobody?appid="+demo.AppID, "", 404)
	do("GET", "/_mock/inbox/o-user", "", 200)
	do("POST", "/_mock/orders", `{"appid":"`+demo.AppID+`","openid":"o-user","transid":"T1","goods":"virtual"}`, 201)
	do("GET", "/_mock/orders/T1", "", 200)
	do("POST", "/_mock/media", `{"appid":"`+demo.AppID+`","type":"image"}`, 201)
	do("GET", "/_mock/complaints", "", 200)
	do("GET", "/_mock/complaints?state=handled&limit=1", "", 200)
	do("GET", "/_mock/complaints/"+c.FeedBackID, "", 200)
	do("GET", "/_mock/complaints/"+c.FeedBackID+"/wait?state=handled&timeout=2s", "", 200)
	do("POST", "/_mock/complaints/"+c.FeedBackID+"/reject", `{"reason":"还没退款"}`, 200)
	do("POST", "/_mock/complaints/"+c.FeedBackID+"/arbitration", "", 200)
	do("POST", "/_mock/complaints/"+c.FeedBackID+"/evidence", `{"note":"已发货","pic_urls":["http://127.0.0.1/e.png"]}`, 200)
	do("POST", "/_mock/complaints/"+c.FeedBackID+"/arbitrate", `{"for":"merchant"}`, 200)
	do("POST", "/_mock/complaints/"+c.FeedBackID+"/confirm", "", 409)
	var c2 Complaint
	json.Unmarshal(do("POST", "/_mock/complaints", `{"appid":"`+demo.AppID+`","openid":"o-two"}`, 201), &c2)
	do("POST", "/_mock/complaints/"+c2.FeedBackID+"/confirm", "", 200)
	do("POST", "/_mock/users", `{"appid":"`+demo.AppID+`","openid":"o-sub","kind":"subscribe"}`, 200)
	do("POST", "/_mock/complaints", `{"appid":"`+demo.AppID+`","openid":"o-sub","no_order":true,"reason":"服务态度差"}`, 201)
	do("GET", "/_mock/clock", "", 200)
	do("POST", "/_mock/clock/advance", `{"by":"1h"}`, 200)
	do("GET", "/_mock/faults", "", 200)
	do("POST", "/_mock/faults", `{"endpoint":"push","tamper_signature":true,"count":2}`, 201)
	do("POST", "/_mock/faults", `{"endpoint":"/cgi-bin/token","delay":"1ms","errcode":-1}`, 201)
	id := fake.Faults()[0].ID
	do("DELETE", "/_mock/faults/"+jsonNumber(id), "", 200)
	do("DELETE", "/_mock/faults/"+jsonNumber(id), "", 404)
	do("DELETE", "/_mock/faults", "", 200)
	do("GET", "/_mock/calls", "", 200)
	do("GET", "/_mock/calls?endpoint=/payfeedback/update&limit=5", "", 200)
	do("GET", "/_mock/calls/wait?endpoint=/payfeedback/update&timeout=1s", "", 200)
	do("GET", "/_mock/calls/stats", "", 200)
	do("DELETE", "/_mock/calls", "", 200)
	do("GET", "/_mock/deliveries", "", 200)
	do("GET", "/_mock/deliveries/wait?feedback_id="+c.FeedBackID+"&msgtype=request&timeout=1s", "", 200)
	do("GET", "/_mock/idle?timeout=2s", "", 200)
	do("GET", "/_mock/snapshot", "", 200)
	do("GET", "/_mock/snapshot?secrets=omit&format=json", "", 200)
	do("GET", "/_mock/snapshot?format=toml", "", 400)
	do("GET", "/_mock/snapshot?secrets=none", "", 400)

	// Complaints 2.0
	var pc struct {
		ComplaintID string `json:"complaint_id"`
	}
	json.Unmarshal(do("POST", "/_mock/pay/complaints", `{"complaint_detail":"没收到货","problem_type":"REFUND","complaint_order_info":[{"transaction_id":"4200000001","out_trade_no":"T1","amount":100}]}`, 201), &pc)
	do("POST", "/_mock/pay/complaints", `{"complaint_detail":"`+strings.Repeat("长", 301)+`"}`, 400)
	do("GET", "/_mock/pay/complaints", "", 200)
	do("GET", "/_mock/pay/complaints?state=PENDING&limit=1", "", 200)
	do("GET", "/_mock/pay/complaints/"+pc.ComplaintID, "", 200)
	do("GET", "/_mock/pay/complaints/nope", "", 404)
	do("POST", "/_mock/pay/complaints/"+pc.ComplaintID+"/message", `{"text":"还没退款"}`, 200)
	do("POST", "/_mock/pay/complaints/"+pc.ComplaintID+"/apply-platform", `{"reason":"商家未处理","text":"请平台介入"}`, 200)
	do("POST", "/_mock/pay/complaints/"+pc.ComplaintID+"/platform-message", `{"text":"平台已介入"}`, 200)
	do("POST", "/_mock/pay/complaints/"+pc.ComplaintID+"/cancel-platform", "", 200)
	do("POST", "/_mock/pay/complaints/"+pc.ComplaintID+"/platform-finish", `{"text":"结束"}`, 409)
	do("POST", "/_mock/pay/complaints/"+pc.ComplaintID+"/refund-arrived", "", 409)
	do("POST", "/_mock/pay/complaints/"+pc.ComplaintID+"/seller-refund", "", 200)
	do("POST", "/_mock/pay/complaints/"+pc.ComplaintID+"/continue", "", 409)
	pm, _ := fake.PayMerchant()
	do("GET", "/_mock/pay/merchants", "", 200)
	do("PATCH", "/_mock/pay/merchants/"+pm.MchID, `{"mode":"switch"}`, 200)
	do("PATCH", "/_mock/pay/merchants/"+pm.MchID, `{"mode":"rsa"}`, 400)
	do("PATCH", "/_mock/pay/merchants/"+pm.MchID, `{"probe_every":"6h"}`, 200)
	do("PATCH", "/_mock/pay/merchants/"+pm.MchID, `{"probe_every":"1s"}`, 400)
	do("PATCH", "/_mock/pay/merchants/"+pm.MchID, `{"probe_every":"0"}`, 200)
	do("GET", "/_mock/pay/merchants/"+pm.MchID+"/notify-url", "", 404)
	do("PUT", "/_mock/pay/merchants/"+pm.MchID+"/notify-url", `{"url":"http://127.0.0.1:9/cb"}`, 200)
	do("GET", "/_mock/pay/merchants/"+pm.MchID+"/notify-url", "", 200)
	do("DELETE", "/_mock/pay/merchants/"+pm.MchID+"/notify-url", "", 200)
	payMerchant := newPayMerchantServer(t, fake)
	do("PATCH", "/_mock/pay/merchants/"+pm.MchID, `{"mode":"public-key"}`, 200)
	do("PUT", "/_mock/pay/merchants/"+pm.MchID+"/notify-url", `{"url":"`+payMerchant.URL+`"}`, 200)
	do("POST", "/_mock/faults", `{"endpoint":"pay-callback","stale":"6m","action_type":"RESPONSE_BY_PLATFORM"}`, 201)
	do("POST", "/_mock/faults", `{"endpoint":"push","stale":"6m"}`, 400)
	do("POST", "/_mock/faults", `{"endpoint":"pay-api","code":"SYSTEM_ERROR","operation":"list","mchid":"`+pm.MchID+`","count":5,"delay":"1ms"}`, 201)
	do("POST", "/_mock/faults", `{"endpoint":"pay-api","operation":"refund","code":"SYSTEM_ERROR"}`, 400)
	do("POST", "/_mock/pay/probes", `{}`, 202)
	do("POST", "/_mock/pay/certificates/rotate", `{}`, 200)
	do("POST", "/_mock/pay/complaints/"+pc.ComplaintID+"/platform-message", `{"text":"再次介入"}`, 200)
	var pd struct {
		ID string `json:"id"`
	}
	json.Unmarshal(do("GET", "/_mock/pay/deliveries/wait?probe=true&done=true&timeout=5s", "", 200), &pd)
	do("GET", "/_mock/pay/deliveries/wait?action_type=RESPONSE_BY_PLATFORM&timeout=5s", "", 200)
	do("GET", "/_mock/pay/deliveries", "", 200)
	do("GET", "/_mock/pay/deliveries?probe=true&limit=1", "", 200)
	do("POST", "/_mock/pay/deliveries/"+pd.ID+"/resend", "", 202)
	do("POST", "/_mock/pay/deliveries/nope/resend", "", 404)
	var tr struct {
		ID string `json:"id"`
	}
	json.Unmarshal(do("POST", "/_mock/pay/trigger", `{"complaint_id":"`+pc.ComplaintID+`","act":"message","text":"新消息","action_type":"SOME_NEW_TYPE","unknown_members":true}`, 202), &tr)
	do("POST", "/_mock/pay/trigger", `{"complaint_id":"`+pc.ComplaintID+`","action_type":"USER_RESPONSE","stale":"6m"}`, 202)
	do("POST", "/_mock/pay/trigger", `{"complaint_id":"`+pc.ComplaintID+`"}`, 400)
	do("POST", "/_mock/pay/trigger", `{"complaint_id":"nope","action_type":"USER_RESPONSE"}`, 404)
	do("POST", "/_mock/pay/trigger", `{"complaint_id":"`+pc.ComplaintID+`","act":"continue"}`, 409)
	do("GET", "/_mock/pay/deliveries/wait?id="+tr.ID+"&timeout=5s", "", 200)
	do("GET", "/_mock/faults", "", 200)
	do("POST", "/_mock/reset", "", 200)

	for _, rt := range fake.admin.Routes() {
		if !covered[rt] && rt.Path != "/_mock/events" { // a stream: TestEventsStream reads it
			t.Errorf("%s %s: no answer checked against openapi.json", rt.Method, rt.Path)
		}
	}
}

func jsonNumber(n uint64) string { b, _ := json.Marshal(n); return string(b) }

// fakeRoute names the documented route a request path falls in.
func fakeRoute(s *Server, method, path string) admin.Route {
	for _, rt := range s.admin.Routes() {
		if rt.Method == method && routeMatches(rt.Path, path) {
			return rt
		}
	}
	return admin.Route{Method: method, Path: path}
}

func routeMatches(pattern, path string) bool {
	ps, qs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(qs) {
		return false
	}
	for i, p := range ps {
		if !strings.HasPrefix(p, "{") && p != qs[i] {
			return false
		}
	}
	return true
}

// TestOpenAPIValidatorCatchesDrift: the validator does refuse an answer
// that does not fit (so that TestOpenAPIAnswersValidate can fail).
func TestOpenAPIValidatorCatchesDrift(t *testing.T) {
	v := openAPIValidator(t)
	for _, body := range []string{
		`{"status":"ok","now":"2025-03-01T10:00:00Z","virtual_clock":false,"accounts":1,"extra":true}`,
		`{"status":"ok","now":"2025-03-01T10:00:00Z","virtual_clock":false,"accounts":"one"}`,
		`{"status":"ok","virtual_clock":false,"accounts":1}`,
	} {
		req, _ := http.NewRequest("GET", "http://127.0.0.1:1/_mock/health", nil)
		if errs := v.ValidateResponse(req, 200, "application/json", []byte(body)); len(errs) == 0 {
			t.Errorf("health answer %s passed the validator", body)
		}
	}
	// and what the document does not know: a path, a media type
	req, _ := http.NewRequest("GET", "http://127.0.0.1:1/_mock/nothing-here", nil)
	if errs := v.ValidateResponse(req, 200, "application/json", []byte(`{}`)); len(errs) == 0 {
		t.Error("an answer on an undocumented path passed the validator")
	}
	req, _ = http.NewRequest("GET", "http://127.0.0.1:1/_mock/health", nil)
	if errs := v.ValidateResponse(req, 200, "text/html", []byte(`<p>ok</p>`)); len(errs) == 0 {
		t.Error("an answer of an undocumented media type passed the validator")
	}
	good := `{"status":"ok","now":"2025-03-01T10:00:00Z","virtual_clock":false,"accounts":1}`
	if errs := v.ValidateResponse(req, 200, "application/json; charset=utf-8", []byte(good)); len(errs) > 0 {
		t.Errorf("a fitting health answer was refused: %v", errs)
	}
}
