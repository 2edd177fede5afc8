package apiv3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"
)

// wechatServer is a small stand-in for WeChat in these tests: it checks
// each request's Authorization with the merchant key and answers with
// answer, signed by WeChat's key as the request's Wechatpay-Serial asks.
type wechatServer struct {
	t               *testing.T
	answer          func(w http.ResponseWriter, r *http.Request, body []byte)
	unsignedAnswers bool
	calls           atomic.Int32
}

func (s *wechatServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	signedBody := body
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		signedBody = []byte(multipartMeta(s.t, r, body))
	}
	a, err := ParseAuthorization(r.Header.Get("Authorization"))
	if err == nil {
		err = a.Verify(&merchantKey(s.t).PublicKey, r.Method, r.URL.RequestURI(), signedBody)
	}
	if err != nil || r.Header.Get("Accept") == "" || r.Header.Get("User-Agent") == "" {
		w.WriteHeader(401)
		io.WriteString(w, `{"code":"SIGN_ERROR","message":"错误的签名，验签失败"}`)
		return
	}
	rec := httptest.NewRecorder()
	s.answer(rec, r, body)
	serial := r.Header.Get(HeaderSerial)
	if serial == "" {
		serial = testCertSerial
	}
	signer, _ := NewSigner(SignerOptions{Key: wechatKey(s.t), Serial: serial})
	for k, v := range rec.Header() {
		w.Header()[k] = v
	}
	if !s.unsignedAnswers {
		if err := signer.SignHeaders(w.Header(), rec.Body.Bytes()); err != nil {
			s.t.Error(err)
		}
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func multipartMeta(t *testing.T, r *http.Request, body []byte) string {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
	p, err := mr.NextPart()
	if err != nil || p.FormName() != "meta" {
		t.Fatalf("first part %v, %v", p, err)
	}
	b, _ := io.ReadAll(p)
	return string(b)
}

func newTestClient(t *testing.T, h http.Handler, mod func(*ClientOptions)) (*Client, *httptest.Server) {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	o := ClientOptions{BaseURL: srv.URL, MchID: testMchID, Signer: mustSigner(t), Verifier: newVerifier(t, time.Now().Unix()), HTTPClient: srv.Client()}
	if mod != nil {
		mod(&o)
	}
	c, err := NewClient(o)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

func TestClientDo(t *testing.T) {
	ws := &wechatServer{t: t, answer: func(w http.ResponseWriter, r *http.Request, body []byte) {
		switch r.URL.Path {
		case "/v3/ok":
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"echo":`+string(body)+`}`)
		case "/v3/empty":
			w.WriteHeader(204)
		case "/v3/noauth":
			w.WriteHeader(403)
			io.WriteString(w, `{"code":"NO_AUTH","message":"您暂无权限查询该投诉单的信息"}`)
		}
	}}
	c, _ := newTestClient(t, ws, nil)
	resp, err := c.Do(context.Background(), Request{Method: "POST", Target: "/v3/ok", Body: []byte(`{"a":"投诉"}`)})
	if err != nil {
		t.Fatal(err)
	}
	if string(resp.Body) != `{"echo":{"a":"投诉"}}` || !resp.Verified {
		t.Errorf("answer %s verified %v", resp.Body, resp.Verified)
	}
	if resp, err := c.Do(context.Background(), Request{Method: "DELETE", Target: "/v3/empty"}); err != nil || resp.StatusCode != 204 {
		t.Errorf("204: %v, %v", resp, err)
	}
	_, err = c.Do(context.Background(), Request{Method: "GET", Target: "/v3/noauth?x=1"})
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeNoAuth || ae.StatusCode != 403 || !ae.Verified {
		t.Errorf("403: %v", err)
	}
}

func TestClientRefusesUnsignedAndForgedAnswers(t *testing.T) {
	for _, tc := range []struct {
		name string
		sign func(h http.Header, body []byte)
		want error
	}{
		{"unsigned 200", func(http.Header, []byte) {}, ErrMissingHeader},
		{"signed by another key", func(h http.Header, body []byte) {
			s, _ := NewSigner(SignerOptions{Key: otherKey(t), Serial: testPubKeyID})
			s.SignHeaders(h, body)
		}, ErrBadSignature},
		{"a probe", func(h http.Header, body []byte) {
			s, _ := NewSigner(SignerOptions{Key: wechatKey(t), Serial: testPubKeyID})
			s.SignHeaders(h, body)
			h.Set(HeaderSignature, ProbeSignaturePrefix+h.Get(HeaderSignature))
		}, ErrSignatureProbe},
		{"signed, body swapped", func(h http.Header, body []byte) {
			s, _ := NewSigner(SignerOptions{Key: wechatKey(t), Serial: testPubKeyID})
			s.SignHeaders(h, []byte(`{"complaint_state":"PENDING"}`))
		}, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body := []byte(`{"complaint_state":"PROCESSED"}`)
				tc.sign(w.Header(), body)
				w.Write(body)
			}), nil)
			resp, err := c.Do(context.Background(), Request{Method: "GET", Target: "/v3/x"})
			if !errors.Is(err, tc.want) || resp != nil {
				t.Fatalf("= %v, %v; want %v and no answer", resp, err, tc.want)
			}
		})
	}
}

func TestClientErrorAnswers(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(401)
		io.WriteString(w, `{"code":"SIGN_ERROR","message":"错误的签名，验签失败","detail":{"detail":{"issue":"sign not match"},"field":"signature","location":"authorization","sign_information":{"method":"GET","sign_message_length":70,"truncated_sign_message":"GET\n/v3/x\n1\nn\n\n","url":"/v3/x"}}}`)
	}), nil)
	_, err := c.Do(context.Background(), Request{Method: "GET", Target: "/v3/x"})
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeSignError || ae.Verified || ae.Issue() != "sign not match" {
		t.Fatalf("%v", err)
	}
	if !strings.HasPrefix(ae.SignedMessage, "GET\n/v3/x\n") || !strings.Contains(err.Error(), "this client signed") {
		t.Errorf("the error does not show what the client signed: %v", err)
	}
	// A signed error answer whose signature is forged is not believed.
	c2, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := NewSigner(SignerOptions{Key: otherKey(t), Serial: testPubKeyID})
		body := []byte(`{"code":"PARAM_ERROR","message":"x"}`)
		s.SignHeaders(w.Header(), body)
		w.WriteHeader(400)
		w.Write(body)
	}), nil)
	if _, err := c2.Do(context.Background(), Request{Method: "GET", Target: "/v3/x"}); !errors.Is(err, ErrBadSignature) || errors.As(err, &ae) {
		t.Errorf("a forged error answer: %v", err)
	}
}

func TestClientNeverFollowsRedirects(t *testing.T) {
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { elsewhere.Add(1) }))
	defer other.Close()
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return nil }} // the caller's client follows
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, other.URL+"/v3/x", http.StatusTemporaryRedirect)
	}), func(o *ClientOptions) { o.HTTPClient = hc })
	_, err := c.Do(context.Background(), Request{Method: "POST", Target: "/v3/x", Body: []byte(`{}`)})
	if err == nil || !strings.Contains(err.Error(), "redirect") || !strings.Contains(err.Error(), other.URL) {
		t.Fatalf("a redirect: %v", err)
	}
	if elsewhere.Load() != 0 {
		t.Error("the signed request reached the other host")
	}
	if hc.CheckRedirect == nil {
		t.Error("NewClient changed the caller's http.Client")
	}
}

func TestClientRetries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var n atomic.Int32
		ws := &wechatServer{t: t, answer: func(w http.ResponseWriter, r *http.Request, body []byte) {
			switch n.Add(1) {
			case 1:
				w.WriteHeader(500)
				io.WriteString(w, `{"code":"SYSTEM_ERROR","message":"系统错误"}`)
			case 2:
				w.WriteHeader(429)
				io.WriteString(w, `{"code":"FREQUENCY_LIMITED","message":"频率超限"}`)
			default:
				io.WriteString(w, `{}`)
			}
		}}
		// In a synctest bubble, the client talks to the handler in memory.
		c, err := NewClient(ClientOptions{BaseURL: "http://wechat.test", MchID: testMchID, Signer: mustSigner(t), Verifier: newVerifier(t, time.Now().Unix()),
			HTTPClient: &http.Client{Transport: handlerTransport{ws}}, Retry: &RetryPolicy{Attempts: 3, Backoff: time.Second}})
		if err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := c.Do(context.Background(), Request{Method: "GET", Target: "/v3/x"}); err != nil {
			t.Fatalf("after two retries: %v", err)
		}
		if got := n.Load(); got != 3 {
			t.Errorf("%d requests, want 3", got)
		}
		if d := time.Since(start); d < 1500*time.Millisecond || d > 3*time.Second {
			t.Errorf("waited %v in all, want 0.5–1 s then 1–2 s", d)
		}

		// Without a policy, no retry; with one, a non-retryable error is
		// not retried either.
		n.Store(0)
		c2, _ := NewClient(ClientOptions{BaseURL: "http://wechat.test", MchID: testMchID, Signer: mustSigner(t), Verifier: newVerifier(t, time.Now().Unix()), HTTPClient: &http.Client{Transport: handlerTransport{ws}}})
		if _, err := c2.Do(context.Background(), Request{Method: "GET", Target: "/v3/x"}); err == nil || n.Load() != 1 {
			t.Errorf("no policy: %v after %d requests", err, n.Load())
		}
	})
}

// handlerTransport serves requests with a handler, in memory.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	return rec.Result(), nil
}

func TestClientUpload(t *testing.T) {
	file := []byte{0xff, 0xd8, 0xff, 0xd9}
	sum := sha256.Sum256(file)
	meta := []byte(`{"filename":"filea.jpg","sha256":"` + hex.EncodeToString(sum[:]) + `"}`)
	ws := &wechatServer{t: t, answer: func(w http.ResponseWriter, r *http.Request, body []byte) {
		_, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
		mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
		var parts []string
		for {
			p, err := mr.NextPart()
			if err != nil {
				break
			}
			b, _ := io.ReadAll(p)
			parts = append(parts, p.FormName()+"|"+p.FileName()+"|"+p.Header.Get("Content-Type")+"|"+hex.EncodeToString(b))
		}
		json.NewEncoder(w).Encode(map[string]any{"media_id": "BB04A5DEEFEA18D4F2554C1EDD3B610B.jpg", "parts": parts})
	}}
	c, _ := newTestClient(t, ws, nil)
	resp, err := c.Upload(context.Background(), "/v3/merchant-service/images/upload", meta, "filea.jpg", "image/jpg", file)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		MediaID string `json:"media_id"`
		Parts   []string
	}
	json.Unmarshal(resp.Body, &got)
	want := []string{"meta||application/json|" + hex.EncodeToString(meta), "file|filea.jpg|image/jpg|ffd8ffd9"}
	if got.MediaID == "" || strings.Join(got.Parts, ",") != strings.Join(want, ",") {
		t.Errorf("parts %q, want %q", got.Parts, want)
	}
}

func TestClientDownloadImage(t *testing.T) {
	png := "\x89PNG\r\n\x1a\n"
	ws := &wechatServer{t: t, unsignedAnswers: true, answer: func(w http.ResponseWriter, r *http.Request, body []byte) {
		if r.URL.EscapedPath() != "/v3/merchant-service/images/ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ%3D%3D" {
			w.WriteHeader(404)
			return
		}
		w.Header().Set("Content-Type", "image/png")
		io.WriteString(w, png)
	}}
	c, srv := newTestClient(t, ws, nil)
	for _, u := range []string{
		"https://api.mch.weixin.qq.com/v3/merchant-service/images/ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ%3D%3D",
		srv.URL + "/v3/merchant-service/images/ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ%3D%3D",
		"/v3/merchant-service/images/ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ%3D%3D",
	} {
		resp, err := c.DownloadImage(context.Background(), u)
		if err != nil || string(resp.Body) != png || resp.Verified {
			t.Errorf("%s: %v, %v", u, resp, err)
		}
	}
	if _, err := c.DownloadImage(context.Background(), "https://evil.example/v3/merchant-service/images/x"); err == nil || !strings.Contains(err.Error(), "not on WeChat Pay's API host") {
		t.Errorf("another host: %v", err)
	}
	// An unsigned JSON answer on the same path is not an image: refused.
	c2, _ := newTestClient(t, &wechatServer{t: t, unsignedAnswers: true, answer: func(w http.ResponseWriter, r *http.Request, body []byte) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{}`)
	}}, nil)
	if _, err := c2.DownloadImage(context.Background(), "/v3/merchant-service/images/x"); !errors.Is(err, ErrMissingHeader) {
		t.Errorf("an unsigned non-image: %v", err)
	}
}

func TestDownloadCertificates(t *testing.T) {
	aead, _ := NewAEAD(testAPIv3Key)
	cert := platformCert(t)
	enc, err := EncryptCertificate(cert, testdata(t, "wechatpay-go-test-platform-cert.pem"), aead)
	if err != nil {
		t.Fatal(err)
	}
	ws := &wechatServer{t: t, answer: func(w http.ResponseWriter, r *http.Request, body []byte) {
		json.NewEncoder(w).Encode(CertificatesAnswer{Data: []EncryptedCertificate{enc}})
	}}
	// A merchant on certificates, downloading for the first time: its
	// Verifier knows nothing yet, so it has to be built with something;
	// it has the public key only.
	c, _ := newTestClient(t, ws, func(o *ClientOptions) {
		v, _ := NewVerifier(VerifierOptions{PublicKeyID: "PUB_KEY_ID_0000000000000000000000000000000001", PublicKey: &otherKey(t).PublicKey})
		o.Verifier = v
	})
	// The server signs as the request's Wechatpay-Serial asks; that names
	// an unknown key here, so make it sign with the certificate.
	ws.answer = func(w http.ResponseWriter, r *http.Request, body []byte) {
		json.NewEncoder(w).Encode(CertificatesAnswer{Data: []EncryptedCertificate{enc}})
	}
	r := &serialRewriter{h: ws, serial: testCertSerial}
	c.http.Transport = r.transport(c.http.Transport)
	certs, err := c.DownloadCertificates(context.Background(), aead)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 || SerialOf(certs[0]) != testCertSerial {
		t.Fatalf("certificates %v", certs)
	}
	// Under another APIv3 key, nothing decrypts.
	other, _ := NewAEAD(strings.Repeat("x", 32))
	if _, err := c.DownloadCertificates(context.Background(), other); !errors.Is(err, ErrDecrypt) {
		t.Errorf("another APIv3 key: %v", err)
	}
}

// serialRewriter makes requests ask for the certificate's signature.
type serialRewriter struct {
	h      http.Handler
	serial string
}

func (s *serialRewriter) transport(next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return roundTripFunc(func(r *http.Request) (*http.Response, error) {
		r.Header.Set(HeaderSerial, s.serial)
		return next.RoundTrip(r)
	})
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestNewClientRefusals(t *testing.T) {
	v := newVerifier(t, time.Now().Unix())
	for _, tc := range []struct {
		name string
		o    ClientOptions
		want string
	}{
		{"no mchid", ClientOptions{Signer: mustSigner(t), Verifier: v}, "MchID"},
		{"no signer", ClientOptions{MchID: "1", Verifier: v}, "Signer"},
		{"no verifier", ClientOptions{MchID: "1", Signer: mustSigner(t)}, "Verifier"},
		{"bad base URL", ClientOptions{MchID: "1", Signer: mustSigner(t), Verifier: v, BaseURL: "api.mch.weixin.qq.com"}, "BaseURL"},
		{"base URL with query", ClientOptions{MchID: "1", Signer: mustSigner(t), Verifier: v, BaseURL: "https://x/?a=1"}, "BaseURL"},
	} {
		if _, err := NewClient(tc.o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}

func TestFetchCertificatesFirstTime(t *testing.T) {
	aead, _ := NewAEAD(testAPIv3Key)
	enc, err := EncryptCertificate(platformCert(t), testdata(t, "wechatpay-go-test-platform-cert.pem"), aead)
	if err != nil {
		t.Fatal(err)
	}
	var asked []string
	ws := &wechatServer{t: t, answer: func(w http.ResponseWriter, r *http.Request, body []byte) {
		asked = append(asked, r.Header.Get(HeaderSerial))
		json.NewEncoder(w).Encode(CertificatesAnswer{Data: []EncryptedCertificate{enc}})
	}}
	srv := httptest.NewServer(ws)
	defer srv.Close()
	certs, err := FetchCertificates(context.Background(), ClientOptions{BaseURL: srv.URL, MchID: testMchID, Signer: mustSigner(t), HTTPClient: srv.Client()}, testAPIv3Key)
	if err != nil {
		t.Fatal(err)
	}
	if len(certs) != 1 || SerialOf(certs[0]) != testCertSerial {
		t.Fatalf("certificates %v", certs)
	}
	if len(asked) != 1 || asked[0] != "" {
		t.Errorf("the first download named a serial: %q (it has none to name)", asked)
	}
	// Signed by a key that is not the listed certificate's: refused.
	ws.answer = func(w http.ResponseWriter, r *http.Request, body []byte) {
		json.NewEncoder(w).Encode(CertificatesAnswer{Data: []EncryptedCertificate{enc}})
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := json.Marshal(CertificatesAnswer{Data: []EncryptedCertificate{enc}})
		s, _ := NewSigner(SignerOptions{Key: otherKey(t), Serial: testCertSerial})
		s.SignHeaders(w.Header(), b)
		w.Write(b)
	}))
	defer other.Close()
	if _, err := FetchCertificates(context.Background(), ClientOptions{BaseURL: other.URL, MchID: testMchID, Signer: mustSigner(t), HTTPClient: other.Client()}, testAPIv3Key); !errors.Is(err, ErrBadSignature) {
		t.Errorf("certificates signed by another key: %v", err)
	}
}

// An error answer signed with a key the client does not know is reported
// as WeChat's error, unverified: a merchant on the public key asking for
// platform certificates gets RESOURCE_NOT_EXISTS, not a forgery.
func TestErrorAnswerFromAnUnknownKey(t *testing.T) {
	c, _ := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s, _ := NewSigner(SignerOptions{Key: otherKey(t), Serial: "PUB_KEY_ID_0000000000000000000000000000000099"})
		body := []byte(`{"code":"RESOURCE_NOT_EXISTS","message":"无可用的平台证书,请在商户平台-API安全申请使用微信支付公钥。"}`)
		s.SignHeaders(w.Header(), body)
		w.WriteHeader(400)
		w.Write(body)
	}), nil)
	_, err := c.Do(context.Background(), Request{Method: "GET", Target: PathCertificates})
	var ae *Error
	if !errors.As(err, &ae) || ae.Code != CodeResourceNotExists || ae.Verified {
		t.Fatalf("%v", err)
	}
}
