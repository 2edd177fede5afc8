package payapi

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// signedRequest returns a request as a well-behaved client sends it: signed
// by the test merchant over the target and body, with Accept and
// User-Agent.
func signedRequest(t testing.TB, f *fake, method, target string, body []byte) *http.Request {
	t.Helper()
	req := rawRequest(t, f, method, target, body)
	signer, err := f.id.MerchantKeys(paykeys.ModePublicKey).Signer(f.clock.now)
	if err != nil {
		t.Fatal(err)
	}
	a, err := signer.Authorization(testMchID, method, target, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", a.String())
	return req
}

// rawRequest returns an unsigned request with Accept and User-Agent.
func rawRequest(t testing.TB, f *fake, method, target string, body []byte) *http.Request {
	t.Helper()
	var r io.Reader
	if body != nil {
		r = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, f.srv.URL+target, r)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "payapi-test")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req
}

// authorization builds an Authorization by hand: the merchant's key signs
// message, whatever it is.
func authorization(t testing.TB, f *fake, mchid, serial string, ts int64, nonce string, message []byte) string {
	t.Helper()
	sig, err := apiv3.SignSHA256(f.id.Merchant().PrivateKey, message)
	if err != nil {
		t.Fatal(err)
	}
	return apiv3.Authorization{MchID: mchid, Nonce: nonce, Timestamp: ts, SerialNo: serial, Signature: sig}.String()
}

// TestRefusedRequests: each way a request fails WeChat's checks, with the
// exact answer (status and body), signed; and the refusal recorded.
func TestRefusedRequests(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{})
	now := f.clock.now().Unix()
	const nonce = "593BEC0C930BF1AFEB40B4A08C8FB242"
	target := complaints.PathComplaint("200000000000000000000000001")
	good := func(ts int64) string {
		return authorization(t, f, testMchID, testSerial, ts, nonce, apiv3.RequestMessage("GET", target, ts, nonce, nil))
	}
	cases := []struct {
		name   string
		edit   func(r *http.Request)
		status int
		body   string
	}{
		{name: "no Accept", edit: func(r *http.Request) { r.Header.Del("Accept"); r.Header.Set("Authorization", good(now)) }, status: 400,
			body: `{"code":"INVALID_REQUEST","message":"头部信息不完整","detail":{"issue":"Accept missing: WeChat requires Accept (application/json) and User-Agent","location":"header"}}`},
		{name: "no User-Agent", edit: func(r *http.Request) { r.Header.Del("User-Agent"); r.Header["User-Agent"] = []string{""} }, status: 400,
			body: `{"code":"INVALID_REQUEST","message":"头部信息不完整","detail":{"issue":"User-Agent missing: WeChat requires Accept (application/json) and User-Agent","location":"header"}}`},
		{name: "no Authorization", edit: func(r *http.Request) {}, status: 401,
			body: `{"code":"SIGN_ERROR","message":"Http 头 Authorization 值格式错误","detail":{"field":"authorization","issue":"the request has no Authorization header: sign it (WECHATPAY2-SHA256-RSA2048, docs/apiv3.md)","location":"authorization"}}`},
		{name: "wrong scheme", edit: func(r *http.Request) {
			r.Header.Set("Authorization", strings.Replace(good(now), apiv3.Scheme, "WECHATPAY2-SHA256-RSA4096", 1))
		}, status: 401,
			body: `{"code":"SIGN_ERROR","message":"Http 头 Authorization 认证类型不正确","detail":{"field":"authorization","issue":"got \"WECHATPAY2-SHA256-RSA4096\": sign with WECHATPAY2-SHA256-RSA2048","location":"authorization"}}`},
		{name: "malformed", edit: func(r *http.Request) { r.Header.Set("Authorization", apiv3.Scheme+` mchid="1900000109",nonce_str="x"`) }, status: 401,
			body: `{"code":"SIGN_ERROR","message":"Http 头 Authorization 值格式错误","detail":{"field":"authorization","issue":"timestamp is missing","location":"authorization"}}`},
		{name: "unknown merchant", edit: func(r *http.Request) {
			r.Header.Set("Authorization", authorization(t, f, "1234567890", testSerial, now, nonce, apiv3.RequestMessage("GET", target, now, nonce, nil)))
		}, status: 401,
			body: `{"code":"SIGN_ERROR","message":"商户未申请过证书。","detail":{"field":"mchid","issue":"the fake has no merchant 1234567890: use the mchid it printed (or add the merchant)","location":"authorization"}}`},
		{name: "unknown serial", edit: func(r *http.Request) {
			r.Header.Set("Authorization", authorization(t, f, testMchID, "ABCDEF", now, nonce, apiv3.RequestMessage("GET", target, now, nonce, nil)))
		}, status: 401,
			body: `{"code":"SIGN_ERROR","message":"商户证书序列号有误。","detail":{"field":"serial_no","issue":"serial_no ABCDEF is not merchant 1900000109's API certificate (BE6DCDA7A5931FA0)","location":"authorization"}}`},
		{name: "six minutes old", edit: func(r *http.Request) { r.Header.Set("Authorization", good(now-360)) }, status: 401,
			body: `{"code":"SIGN_ERROR","message":"Http 头 Authorization 中的 timestamp 与发起请求的时间不得超过 5 分钟","detail":{"field":"timestamp","issue":"timestamp ` +
				strconv.FormatInt(now-360, 10) + ` is 6m0s from the fake's clock (` + strconv.FormatInt(now, 10) + `): sign with the current time, and check this machine's clock","location":"authorization"}}`},
		{name: "exactly five minutes ahead", edit: func(r *http.Request) { r.Header.Set("Authorization", good(now+300)) }, status: 401,
			body: `{"code":"SIGN_ERROR","message":"Http 头 Authorization 中的 timestamp 与发起请求的时间不得超过 5 分钟","detail":{"field":"timestamp","issue":"timestamp ` +
				strconv.FormatInt(now+300, 10) + ` is 5m0s from the fake's clock (` + strconv.FormatInt(now, 10) + `): sign with the current time, and check this machine's clock","location":"authorization"}}`},
		{name: "signed for another target", edit: func(r *http.Request) {
			r.Header.Set("Authorization", authorization(t, f, testMchID, testSerial, now, nonce, apiv3.RequestMessage("GET", target+"?x=1", now, nonce, nil)))
		}, status: 401,
			body: `{"code":"SIGN_ERROR","message":"错误的签名，验签失败","detail":{"field":"signature","location":"authorization","sign_information":{"method":"GET","url":"` + target +
				`","truncated_sign_message":"GET\n` + target + `\n` + strconv.FormatInt(now, 10) + `\n` + nonce + `\n\n","sign_message_length":` +
				strconv.Itoa(len(apiv3.RequestMessage("GET", target, now, nonce, nil))) + `},"detail":{"issue":"sign not match"}}}`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			req := rawRequest(t, f, http.MethodGet, target, nil)
			c.edit(req)
			resp, body := f.do(t, req)
			if resp.StatusCode != c.status || string(body) != c.body {
				t.Errorf("answered %d\n%s\nwant %d\n%s", resp.StatusCode, body, c.status, c.body)
			}
			v, _ := f.id.Verifier(paykeys.ModePublicKey, f.clock.now)
			if err := v.Verify(apiv3.SignatureHeadersOf(resp.Header), body); err != nil {
				t.Errorf("the refusal is not signed: %v", err)
			}
			rec := f.rec.last()
			if c.status == 401 && (rec.SignFailure == nil || rec.SignFailure.Authorization != req.Header.Get("Authorization")) {
				t.Errorf("recorded %+v", rec.SignFailure)
			}
		})
	}
}

// tamper is an http.RoundTripper that changes a request's body after the
// client signed it, as a proxy re-serialising JSON would.
type tamper struct {
	next http.RoundTripper
	edit func([]byte) []byte
}

func (tr tamper) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		b, _ := io.ReadAll(r.Body)
		b = tr.edit(b)
		r.Body, r.ContentLength = io.NopCloser(bytes.NewReader(b)), int64(len(b))
	}
	return tr.next.RoundTrip(r)
}

// TestTruncatedSignMessage: when only the body differs from what the
// client signed, WeChat's truncated_sign_message is exactly the client's
// string cut as WeChat cuts it (method, target, timestamp and nonce match:
// the difference is in the body), sign_message_length the length of the
// fake's whole reconstruction; the recorder keeps that whole string beside
// the Authorization received.
func TestTruncatedSignMessage(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{})
	id := f.file(t, payworld.FileSpec{}).ID()
	keys := f.id.MerchantKeys(paykeys.ModePublicKey)
	signer, _ := keys.Signer(f.clock.now)
	v, _ := keys.Verifier(f.clock.now)
	hc := &http.Client{Transport: tamper{next: f.srv.Client().Transport, edit: func(b []byte) []byte {
		return bytes.Replace(b, []byte(`"response_content":"已处理"`), []byte(`"response_content": "已处理" `), 1)
	}}}
	c, err := complaints.NewClient(complaints.ClientOptions{API: apiv3.ClientOptions{BaseURL: f.srv.URL, HTTPClient: hc, MchID: testMchID, Signer: signer, Verifier: v}})
	if err != nil {
		t.Fatal(err)
	}
	err = c.Respond(context.Background(), id, complaints.ResponseRequest{ComplaintedMchID: testMchID, ResponseContent: "已处理"})
	e := apiError(t, err)
	si := e.SignInformation()
	if e.StatusCode != 401 || e.Code != apiv3.CodeSignError || si == nil || e.SignedMessage == "" {
		t.Fatalf("%v", e)
	}
	signedBody := e.SignedMessage[strings.LastIndex(strings.TrimSuffix(e.SignedMessage, "\n"), "\n")+1:]
	head := strings.TrimSuffix(e.SignedMessage, signedBody)
	if want := head + signedBody[:TruncatedBodyBytes] + "\n"; si.TruncatedSignMessage != want {
		t.Errorf("truncated_sign_message %q, want the client's string cut: %q", si.TruncatedSignMessage, want)
	}
	rec := f.rec.last()
	sent := strings.Replace(signedBody, `"response_content":"已处理"`, `"response_content": "已处理" `, 1)
	if rec.SignFailure == nil || rec.SignFailure.Expected != head+sent || si.SignMessageLength != len(head+sent) {
		t.Errorf("recorded %+v, length %d", rec.SignFailure, si.SignMessageLength)
	}
	if !strings.HasPrefix(rec.SignFailure.Authorization, apiv3.Scheme+" mchid=\""+testMchID) || si.URL != complaints.PathResponse(id) || si.Method != "POST" {
		t.Errorf("recorded Authorization %q, url %q", rec.SignFailure.Authorization, si.URL)
	}
}

// TestTrailingQuestionMark: a target ending in a lone '?' verifies whether
// the client signed it with the '?' (no warning) or without (as gopay
// does: accepted with a warning).
func TestTrailingQuestionMark(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{})
	id := f.file(t, payworld.FileSpec{}).ID()
	target := complaints.PathNegotiationHistory(id) + "?"
	now := f.clock.now().Unix()
	for _, c := range []struct {
		signed  string
		warning bool
	}{{target, false}, {strings.TrimSuffix(target, "?"), true}} {
		req := rawRequest(t, f, http.MethodGet, target, nil)
		req.Header.Set("Authorization", authorization(t, f, testMchID, testSerial, now, "n1", apiv3.RequestMessage("GET", c.signed, now, "n1", nil)))
		resp, body := f.do(t, req)
		rec := f.rec.last()
		if resp.StatusCode != 200 || rec.Target != target || (len(rec.Warnings) > 0) != c.warning {
			t.Errorf("signed over %q: %d %s, target %q, warnings %v", c.signed, resp.StatusCode, body, rec.Target, rec.Warnings)
		}
	}
}

// TestSignedByAnotherKey: a signature by a key that is not the merchant's
// is a mismatch like any other.
func TestSignedByAnotherKey(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{})
	now := f.clock.now().Unix()
	req := rawRequest(t, f, http.MethodGet, complaints.PathNotifications, nil)
	sig, _ := apiv3.SignSHA256(testKey(t, "other-private-key.pem"), apiv3.RequestMessage("GET", complaints.PathNotifications, now, "n", nil))
	req.Header.Set("Authorization", apiv3.Authorization{MchID: testMchID, Nonce: "n", Timestamp: now, SerialNo: testSerial, Signature: sig}.String())
	resp, body := f.do(t, req)
	e := apiv3.ParseError(resp.StatusCode, resp.Header, body)
	if e.StatusCode != 401 || e.Message != MsgBadSignature || e.Issue() != "sign not match" {
		t.Errorf("%v", e)
	}
}

// TestStaleOnTheFakesClock: the window follows the fake's clock, not the
// machine's: a request signed now is stale once the fake's clock moves 5
// minutes on.
func TestStaleOnTheFakesClock(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{})
	req := signedRequest(t, f, http.MethodGet, complaints.PathNotifications, nil)
	f.clock.add(5*time.Minute + time.Second)
	resp, body := f.do(t, req)
	if e := apiv3.ParseError(resp.StatusCode, resp.Header, body); e.Message != MsgTimestamp {
		t.Errorf("%v", e)
	}
}

// TestRoutes: a path the fake does not serve, and a method a path does not
// take, are answered in WeChat's error shape, signed.
func TestRoutes(t *testing.T) {
	f := newFake(t, paykeys.ModePublicKey, Options{})
	for _, c := range []struct {
		method, target string
		status         int
		allow          string
	}{
		{"GET", "/v3/pay/transactions/id/1", 404, ""},
		{"GET", complaints.PathComplaints + "/1/unknown", 404, ""},
		{"PATCH", complaints.PathNotifications, 405, "POST, GET, PUT, DELETE"},
		{"GET", complaints.PathResponse("1"), 405, "POST"},
	} {
		resp, body := f.do(t, signedRequest(t, f, c.method, c.target, nil))
		var e apiv3.Error
		if resp.StatusCode != c.status || json.Unmarshal(body, &e) != nil || e.Code == "" || !strings.Contains(string(body), c.allow) {
			t.Errorf("%s %s: %d %s", c.method, c.target, resp.StatusCode, body)
		}
	}
}
