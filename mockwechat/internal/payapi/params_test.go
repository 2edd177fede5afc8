package payapi

import (
	"bytes"
	"context"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// TestParameterErrors: bodies and queries the documented limits refuse
// answer 400 PARAM_ERROR with the field as a JSON pointer (body) or name
// (query), its location, and WeChat's message format; the complaints
// package's Validate decides, so the client and the fake agree.
func TestParameterErrors(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{})
	id := f.file(t, payworld.FileSpec{}).ID()
	long := strings.Repeat("字", complaints.MaxResponseContentLength+1)
	cases := []struct {
		name, method, target, body string
		field, location, message   string
	}{
		{name: "response_content too long", method: "POST", target: complaints.PathResponse(id),
			body:  `{"complainted_mchid":"1900000109","response_content":"` + long + `"}`,
			field: "/response_content", location: "body",
			message: "输入源“/response_content”映射到值字段“response_content”字符串规则校验失败,字符数 501,大于最大值 500。"},
		{name: "a nested field", method: "POST", target: complaints.PathResponseImmediateService(id),
			body:  `{"complainted_mchid":"1900000109","idempotent_id":"i","message":{"blocks":[{"type":"TEXT","text":{"text":"a"}},{"type":"TEXT"}]}}`,
			field: "/message/blocks/1/text", location: "body",
			message: "输入源“/message/blocks/1/text”映射到值字段“text”规则校验失败,required in a block of type TEXT。"},
		{name: "an unknown member", method: "POST", target: complaints.PathComplete(id),
			body: `{"complainted_mchid":"1900000109","complaint_id":"` + id + `"}`, field: "/complaint_id", location: "body",
			message: "输入源“/complaint_id”映射到值字段“complaint_id”不存在"},
		{name: "a number for a string", method: "POST", target: complaints.PathComplete(id),
			body: `{"complainted_mchid":1900000109}`, field: "/complainted_mchid", location: "body",
			message: "输入源“/complainted_mchid”映射到值字段“complainted_mchid”类型不匹配"},
		{name: "not JSON", method: "POST", target: complaints.PathComplete(id), body: `complainted_mchid=1`, location: "body", message: "请求体不是合法的JSON"},
		{name: "no body", method: "POST", target: complaints.PathComplete(id), location: "body", message: "请求体为空"},
		{name: "an https URL only", method: "POST", target: complaints.PathNotifications, body: `{"url":"http://example.com/cb"}`,
			field: "/url", location: "body", message: "输入源“/url”映射到值字段“url”规则校验失败,scheme \"http\": WeChat opens https URLs only。"},
		{name: "a span over 30 days", method: "GET", target: complaints.PathComplaints + "?begin_date=2025-01-01&end_date=2025-01-31",
			field: "end_date", location: "query",
			message: "输入源“end_date”映射到值字段“end_date”规则校验失败,2025-01-01 to 2025-01-31 is 31 days, over the 30 of one query: cut the span (SplitSpan)。"},
		{name: "no begin_date", method: "GET", target: complaints.PathComplaints + "?end_date=2025-01-31", field: "begin_date", location: "query",
			message: "输入源“begin_date”映射到值字段“begin_date”规则校验失败,required。"},
		{name: "a bad date", method: "GET", target: complaints.PathComplaints + "?begin_date=2025-02-30&end_date=2025-03-01", field: "begin_date", location: "query",
			message: "输入源“begin_date”映射到值字段“begin_date”日期格式有误"},
		{name: "limit 51", method: "GET", target: complaints.PathComplaints + "?begin_date=2025-01-01&end_date=2025-01-02&limit=51", field: "limit", location: "query",
			message: "输入源“limit”映射到值字段“limit”规则校验失败,51: want 1 to 50 (0 for WeChat's default)。"},
		{name: "limit not a number", method: "GET", target: complaints.PathNegotiationHistory(id) + "?limit=ten", field: "limit", location: "query",
			message: "输入源“limit”映射到值字段“limit”类型不匹配"},
		{name: "history limit 301", method: "GET", target: complaints.PathNegotiationHistory(id) + "?limit=301", field: "limit", location: "query",
			message: "输入源“limit”映射到值字段“limit”规则校验失败,301: want 1 to 300 (0 for WeChat's default)。"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body []byte
			if c.body != "" {
				body = []byte(c.body)
			} else if c.method == "POST" {
				body = []byte{}
			}
			resp, b := f.do(t, signedRequest(t, f, c.method, c.target, body))
			e := apiv3.ParseError(resp.StatusCode, resp.Header, b)
			if e.StatusCode != 400 || e.Code != apiv3.CodeParamError || e.Message != c.message || e.Detail == nil || e.Detail.Field != c.field || e.Detail.Location != c.location {
				t.Errorf("answered %d %s", resp.StatusCode, b)
			}
		})
	}
}

// TestAcceptUnknownMembers: the option lets extra members through.
func TestAcceptUnknownMembers(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{AcceptUnknownMembers: true})
	id := f.file(t, payworld.FileSpec{}).ID()
	resp, b := f.do(t, signedRequest(t, f, "POST", complaints.PathResponse(id), []byte(`{"complainted_mchid":"1900000109","response_content":"好","complaint_id":"x"}`)))
	if resp.StatusCode != http.StatusNoContent {
		t.Errorf("%d %s", resp.StatusCode, b)
	}
}

// TestRateLimits: past an endpoint's calls a minute, a merchant gets 429
// FREQUENCY_LIMITED, signed; another merchant does not; the fake's clock
// moving on lets calls through again.
func TestRateLimits(t *testing.T) {
	if DefaultPerMinute(complaints.EndpointList) != 200 || DefaultPerMinute(complaints.EndpointResponse) != 60 ||
		DefaultPerMinute(complaints.EndpointComplete) != 1500 || DefaultPerMinute(complaints.EndpointImageUpload) != 60 ||
		DefaultPerMinute(complaints.EndpointHistory) != 200 || DefaultPerMinute(complaints.EndpointDetail) != 0 {
		t.Error("DefaultPerMinute is not WeChat's published limits")
	}
	f := newFake(t, paykeys.ModePublicKey, Options{PerMinute: map[complaints.Endpoint]int{complaints.EndpointNotificationURL: 3, complaints.EndpointList: 0}})
	ctx := context.Background()
	if _, err := New(Options{World: f.world, Signing: f.signing, PerMinute: map[complaints.Endpoint]int{"nope": 1}}); err == nil {
		t.Error("an unknown endpoint's limit accepted")
	}
	for _, o := range []Options{{}, {World: f.world}, {World: f.world, Signing: &paykeys.Signing{}}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
	c, other := f.client(t, paykeys.ModePublicKey), f.otherClient(t)
	query := func(c *complaints.Client) error {
		_, err := c.QueryNotificationURL(ctx)
		return err
	}
	for i := range 3 {
		if e := apiError(t, query(c)); e.Code != apiv3.CodeResourceNotExists {
			t.Fatalf("call %d: %v", i+1, e)
		}
	}
	if e := apiError(t, query(c)); e.StatusCode != http.StatusTooManyRequests || e.Code != apiv3.CodeFrequencyLimited {
		t.Errorf("the 4th call: %v", e)
	}
	if e := apiError(t, query(other)); e.Code != apiv3.CodeResourceNotExists {
		t.Errorf("another merchant: %v", e)
	}
	f.clock.add(20 * time.Second) // one call's worth of refill
	if e := apiError(t, query(c)); e.Code != apiv3.CodeResourceNotExists {
		t.Errorf("after 20 s: %v", e)
	}
	if e := apiError(t, query(c)); e.Code != apiv3.CodeFrequencyLimited {
		t.Errorf("then: %v", e)
	}
	for range 250 { // the list's limit lifted
		if _, err := c.List(ctx, complaints.ListRequest{BeginDate: complaints.DateOf(f.clock.now()), EndDate: complaints.DateOf(f.clock.now())}); err != nil {
			t.Fatal(err)
		}
	}
	f.handler.Reset()
	if e := apiError(t, query(c)); e.Code != apiv3.CodeResourceNotExists {
		t.Errorf("after Reset: %v", e)
	}
}

// TestLoopbackCallbackURL: a plain http URL on this machine is taken, with
// a warning recorded.
func TestLoopbackCallbackURL(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{})
	n, err := f.client(t, paykeys.ModePublicKey).CreateNotificationURL(context.Background(), "http://127.0.0.1:8080/cb")
	if err != nil || n.URL != "http://127.0.0.1:8080/cb" {
		t.Fatalf("%+v %v", n, err)
	}
	if w := f.rec.last().Warnings; len(w) != 1 || !strings.Contains(w[0], "https") {
		t.Errorf("warnings %v", w)
	}
}

// form builds an upload's body: parts {name, filename, content} in the
// order given.
func form(t *testing.T, parts ...[3]string) (body []byte, contentType string) {
	t.Helper()
	return formBytes(parts)
}

// formBytes writes parts as a multipart form, as the official SDK does (a
// meta part's Content-Disposition ends in ";").
func formBytes(parts [][3]string) (body []byte, contentType string) {
	var b bytes.Buffer
	w := multipart.NewWriter(&b)
	for _, p := range parts {
		h := textproto.MIMEHeader{}
		if p[0] == "file" {
			h.Set("Content-Disposition", `form-data; name="file"; filename="`+p[1]+`"`)
			h.Set("Content-Type", "image/png")
		} else {
			h.Set("Content-Disposition", `form-data; name="`+p[0]+`";`)
			h.Set("Content-Type", "application/json")
		}
		pw, _ := w.CreatePart(h) // never fails on a bytes.Buffer
		pw.Write([]byte(p[2]))
	}
	w.Close()
	return b.Bytes(), w.FormDataContentType()
}

// sendUpload sends an upload signed over signedMeta.
func sendUpload(t *testing.T, f *fake, body []byte, contentType string, signedMeta []byte) (*http.Response, []byte) {
	t.Helper()
	req := rawRequest(t, f, "POST", complaints.PathImageUpload, body)
	req.Header.Set("Content-Type", contentType)
	req.Header.Del("Accept") // uploads need none
	signer, _ := f.id.MerchantKeys(paykeys.ModePublicKey).Signer(f.clock.now)
	a, _ := signer.Authorization(testMchID, "POST", complaints.PathImageUpload, signedMeta)
	req.Header.Set("Authorization", a.String())
	return f.do(t, req)
}

// TestUpload: an upload is signed over its meta alone, its parts come in
// either order, its sha256 must be the file's; what is missing is a
// parameter error.
func TestUpload(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{})
	m, _ := complaints.NewUploadMeta("shot.png", png)
	meta := m.JSON()
	for _, order := range [][][3]string{
		{{"meta", "", string(meta)}, {"file", "shot.png", string(png)}},
		{{"file", "shot.png", string(png)}, {"meta", "", string(meta)}},
		{{"other", "", "x"}, {"file", "x.png", string(png)}, {"meta", "", string(meta)}},
	} {
		body, ct := form(t, order...)
		resp, b := sendUpload(t, f, body, ct, meta)
		if resp.StatusCode != 200 || !bytes.Contains(b, []byte(`"media_id":"`)) {
			t.Errorf("parts %v: %d %s", order, resp.StatusCode, b)
		}
	}
	if rec := f.rec.last(); string(rec.Body) != string(meta) || rec.FileSize != len(png) {
		t.Errorf("recorded body %q, file %d", rec.Body, rec.FileSize)
	}

	body, ct := form(t, [3]string{"meta", "", string(meta)}, [3]string{"file", "shot.png", string(png)})
	resp, b := sendUpload(t, f, body, ct, []byte(`{"filename":"other.png","sha256":"`+m.SHA256+`"}`))
	e := apiv3.ParseError(resp.StatusCode, resp.Header, b)
	if si := e.SignInformation(); e.Code != apiv3.CodeSignError || si == nil || !strings.HasPrefix(si.TruncatedSignMessage, "POST\n"+complaints.PathImageUpload+"\n") ||
		!strings.HasSuffix(si.TruncatedSignMessage, "\n"+string(meta[:TruncatedBodyBytes])+"\n") {
		t.Errorf("signed over another meta: %d %s", resp.StatusCode, b)
	}

	wrong := []byte(`{"filename":"shot.png","sha256":"` + strings.Repeat("0", 64) + `"}`)
	for _, c := range []struct {
		name  string
		parts [][3]string
		meta  []byte
		field string
	}{
		{"sha256 not the file's", [][3]string{{"meta", "", string(wrong)}, {"file", "shot.png", string(png)}}, wrong, "/sha256"},
		{"no meta", [][3]string{{"file", "shot.png", string(png)}}, nil, "meta"},
		{"no file", [][3]string{{"meta", "", string(meta)}}, meta, "file"},
		{"two files", [][3]string{{"meta", "", string(meta)}, {"file", "a.png", string(png)}, {"file", "b.png", string(png)}}, meta, "file"},
		{"not an image", [][3]string{{"meta", "", string(meta)}, {"file", "shot.png", "hello"}}, meta, "/file"},
		{"meta not JSON", [][3]string{{"meta", "", "filename=shot.png"}, {"file", "shot.png", string(png)}}, []byte("filename=shot.png"), "meta"},
	} {
		body, ct := form(t, c.parts...)
		resp, b := sendUpload(t, f, body, ct, c.meta)
		if e := apiv3.ParseError(resp.StatusCode, resp.Header, b); e.StatusCode != 400 || e.Code != apiv3.CodeParamError || e.Detail.Field != c.field {
			t.Errorf("%s: %d %s", c.name, resp.StatusCode, b)
		}
	}
	resp, b = sendUpload(t, f, []byte(`{"meta":1}`), "application/json", []byte(`{"meta":1}`))
	if e := apiv3.ParseError(resp.StatusCode, resp.Header, b); e.Code != apiv3.CodeParamError {
		t.Errorf("not multipart: %d %s", resp.StatusCode, b)
	}
}

// TestImageDownload: a user's image is answered unsigned with its
// Content-Type, whether its id's padding is sent as == or %3D%3D.
func TestImageDownload(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{})
	c := f.file(t, payworld.FileSpec{Images: []payworld.ImageFile{{Filename: "e.png", Data: png}}})
	id, _ := complaints.MediaIDFromURL(c.Wire.ComplaintMediaList[0].MediaURL[0])
	for _, target := range []string{complaints.PathImage(id), strings.ReplaceAll(complaints.PathImage(id), "=", "%3D")} {
		resp, b := f.do(t, signedRequest(t, f, "GET", target, nil))
		if resp.StatusCode != 200 || string(b) != string(png) || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get(apiv3.HeaderSignature) != "" {
			t.Errorf("%s: %d, %q, signature %q", target, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get(apiv3.HeaderSignature))
		}
	}
	resp, b := f.do(t, signedRequest(t, f, "GET", complaints.PathImage("nope=="), nil))
	if e := apiv3.ParseError(resp.StatusCode, resp.Header, b); e.Code != apiv3.CodeParamError || resp.Header.Get(apiv3.HeaderSignature) == "" {
		t.Errorf("unknown: %d %s", resp.StatusCode, b)
	}
}
