package apiv3

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func FuzzParseAuthorization(f *testing.F) {
	for _, s := range []string{
		`WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="uOVRnA4q=="`,
		`WECHATPAY2-SHA256-RSA2048 mchid="1", nonce_str="n" ,timestamp="1",serial_no="s",signature="x"`,
		`WECHATPAY2-SHA256-RSA2048 `, `WECHATPAY2-SHA256-RSA2048 mchid="`, ``,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		a, err := ParseAuthorization(h)
		if err != nil {
			var ae *AuthorizationError
			if !errors.As(err, &ae) {
				t.Fatalf("error %v is not an *AuthorizationError", err)
			}
			return
		}
		// Whatever parses, prints back to something that parses the same,
		// when the values can be written back (no quote inside).
		if strings.ContainsRune(a.MchID+a.Nonce+a.SerialNo+a.Signature, '"') {
			t.Fatalf("a value holds a quote: %+v", a)
		}
		back, err := ParseAuthorization(a.String())
		if err != nil || back != a {
			t.Fatalf("%q → %+v → %q → %+v, %v", h, a, a.String(), back, err)
		}
	})
}

func FuzzParseNotification(f *testing.F) {
	f.Add([]byte(`{"id":"EV-1","create_time":"2015-05-20T13:29:35+08:00","resource_type":"encrypt-resource","event_type":"COMPLAINT.CREATE","summary":"产生新投诉","resource":{"algorithm":"AEAD_AES_256_GCM","ciphertext":"AAAA","nonce":"0123456789ab","associated_data":""}}`))
	f.Add([]byte(`{"id":1}`))
	f.Add([]byte(`[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]`))
	f.Fuzz(func(t *testing.T, body []byte) {
		n, err := ParseNotification(body)
		if err != nil {
			if !errors.Is(err, ErrMalformedNotification) {
				t.Fatalf("error %v does not wrap ErrMalformedNotification", err)
			}
			return
		}
		if n.ID == "" || n.EventType == "" || n.Resource.Ciphertext == "" {
			t.Fatalf("accepted without required fields: %+v", n)
		}
		// The same as encoding/json (the reference for internal/flatjson).
		var ref Notification
		if err := json.Unmarshal(body, &ref); err != nil || ref != *n {
			t.Fatalf("decoded %+v, encoding/json %+v, %v", n, ref, err)
		}
		// What parses re-encodes to something that parses to the same.
		b, _ := json.Marshal(n)
		back, err := ParseNotification(b)
		if err != nil || *back != *n {
			t.Fatalf("round trip %+v → %s → %+v, %v", n, b, back, err)
		}
	})
}

func FuzzParseError(f *testing.F) {
	f.Add(401, []byte(`{"code":"SIGN_ERROR","message":"错误的签名，验签失败","detail":{"detail":{"issue":"sign not match"},"sign_information":{"truncated_sign_message":"GET\n"}}}`))
	f.Add(502, []byte("<html>bad gateway</html>"))
	f.Add(400, []byte(`{"code":"PARAM_ERROR","detail":{"value":[1,{"a":null}]}}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := ParseError(status, nil, body)
		if e == nil || e.StatusCode != status {
			t.Fatalf("ParseError = %+v", e)
		}
		msg := e.Error()
		if strings.ContainsAny(msg, "\x00\x1b\r") {
			t.Fatalf("Error() lets a control byte through: %q", msg)
		}
		_ = e.Issue()
		_ = e.SignInformation()
		_ = e.Retryable()
	})
}

// FuzzOpen feeds arbitrary headers and bodies to an Opener: it must never
// panic, and must accept nothing it did not sign.
func FuzzOpen(f *testing.F) {
	o, err := NewOpener(OpenerOptions{Verifier: newVerifier(f, 1700000002), APIv3Key: testAPIv3Key})
	if err != nil {
		f.Fatal(err)
	}
	dv := vectors(f, "derived-vectors.json")
	v := decode[struct {
		Body    string
		Headers map[string]string
	}](f, dv["V8_callback"])
	f.Add(v.Headers["Wechatpay-Timestamp"], v.Headers["Wechatpay-Nonce"], v.Headers["Wechatpay-Signature"], v.Headers["Wechatpay-Serial"], []byte(v.Body))
	f.Add("1700000002", "n", "WECHATPAY/SIGNTEST/xx", testCertSerial, []byte(`{}`))
	f.Fuzz(func(t *testing.T, ts, nonce, sig, serial string, body []byte) {
		h := SignatureHeaders{Timestamp: ts, Nonce: nonce, Signature: sig, Serial: serial}
		cb, err := o.Open(h, body)
		if err == nil && (string(body) != v.Body || sig != v.Headers["Wechatpay-Signature"]) {
			t.Fatalf("accepted something never signed: %+v %q", h, body)
		}
		if err == nil && cb == nil {
			t.Fatal("nil callback without error")
		}
	})
}
