package apiv3

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAuthorization(t *testing.T) {
	want := Authorization{MchID: "1900009191", Nonce: "593BEC0C930BF1AFEB40B4A08C8FB242", Timestamp: 1554208460, SerialNo: "1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", Signature: "uOVRnA4q=="}
	for _, tc := range []struct {
		name, header string
		err          error
	}{
		{"SDK order", `WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",signature="uOVRnA4q=="`, nil},
		{"the document's order", `WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="uOVRnA4q==",timestamp="1554208460",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C"`, nil},
		{"axios order", `WECHATPAY2-SHA256-RSA2048 mchid="1900009191",serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C",timestamp="1554208460",nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242",signature="uOVRnA4q=="`, nil},
		{"spaces after commas", `WECHATPAY2-SHA256-RSA2048 mchid="1900009191", nonce_str="593BEC0C930BF1AFEB40B4A08C8FB242", timestamp="1554208460", serial_no="1DDE55AD98ED71D6EDD4A4A16996DE7B47773A8C", signature="uOVRnA4q=="`, nil},
		{"other scheme", `WECHATPAY2-SHA256-RSA mchid="1900009191"`, ErrAuthorizationScheme},
		{"lower-case scheme", `wechatpay2-sha256-rsa2048 mchid="1"`, ErrAuthorizationScheme},
		{"no scheme", `mchid="1900009191",nonce_str="x"`, ErrAuthorizationScheme},
		{"empty", ``, ErrAuthorizationScheme},
		{"missing signature", `WECHATPAY2-SHA256-RSA2048 mchid="1900009191",nonce_str="n",timestamp="1",serial_no="s"`, ErrAuthorizationFormat},
		{"repeated key", `WECHATPAY2-SHA256-RSA2048 mchid="1",mchid="2",nonce_str="n",timestamp="1",serial_no="s",signature="x"`, ErrAuthorizationFormat},
		{"unknown key", `WECHATPAY2-SHA256-RSA2048 mchid="1",appid="2",nonce_str="n",timestamp="1",serial_no="s",signature="x"`, ErrAuthorizationFormat},
		{"unquoted value", `WECHATPAY2-SHA256-RSA2048 mchid=1,nonce_str="n",timestamp="1",serial_no="s",signature="x"`, ErrAuthorizationFormat},
		{"unclosed quote", `WECHATPAY2-SHA256-RSA2048 mchid="1,nonce_str="n"`, ErrAuthorizationFormat},
		{"junk between pairs", `WECHATPAY2-SHA256-RSA2048 mchid="1";nonce_str="n",timestamp="1",serial_no="s",signature="x"`, ErrAuthorizationFormat},
		{"trailing comma", `WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1",serial_no="s",signature="x",`, ErrAuthorizationFormat},
		{"timestamp not a number", `WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="1554208460.5",serial_no="s",signature="x"`, ErrAuthorizationFormat},
		{"negative timestamp", `WECHATPAY2-SHA256-RSA2048 mchid="1",nonce_str="n",timestamp="-1",serial_no="s",signature="x"`, ErrAuthorizationFormat},
		{"huge", `WECHATPAY2-SHA256-RSA2048 mchid="` + strings.Repeat("1", 5000) + `"`, ErrAuthorizationFormat},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := ParseAuthorization(tc.header)
			if tc.err == nil {
				if err != nil || a != want {
					t.Fatalf("= %+v, %v; want %+v", a, err, want)
				}
				return
			}
			if !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
			var ae *AuthorizationError
			if !errors.As(err, &ae) || ae.Detail == "" {
				t.Errorf("error %v carries no detail", err)
			}
		})
	}
}

func TestAuthorizationRoundTrip(t *testing.T) {
	s := mustSigner(t)
	for _, target := range []string{"/v3/certificates", "/v3/merchant-service/images/ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ%3D%3D"} {
		a, err := s.Authorization(testMchID, "GET", target, nil)
		if err != nil {
			t.Fatal(err)
		}
		back, err := ParseAuthorization(a.String())
		if err != nil || back != a {
			t.Fatalf("round trip %+v → %+v, %v", a, back, err)
		}
		if err := back.Verify(&merchantKey(t).PublicKey, "GET", target, nil); err != nil {
			t.Error(err)
		}
		if err := back.Verify(&otherKey(t).PublicKey, "GET", target, nil); !errors.Is(err, ErrBadSignature) {
			t.Errorf("another key: %v", err)
		}
		if err := back.Verify(&merchantKey(t).PublicKey, "POST", target, nil); !errors.Is(err, ErrBadSignature) {
			t.Errorf("another method: %v", err)
		}
	}
}

func TestNonce(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		n, err := Nonce(nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(n) != NonceLength || strings.Trim(n, nonceAlphabet) != "" {
			t.Fatalf("nonce %q", n)
		}
		if seen[n] {
			t.Fatalf("nonce %q drawn twice", n)
		}
		seen[n] = true
	}
	// Every character of the alphabet is reachable: bytes 0..247 map onto
	// it four times each; 248..255 are skipped.
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	if _, err := Nonce(strings.NewReader(string(all))); err != nil {
		t.Fatal(err)
	}
	if _, err := Nonce(strings.NewReader("short")); err == nil {
		t.Error("a failing source gives no error")
	}
}
