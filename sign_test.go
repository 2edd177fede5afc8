package payfeedback

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"testing"
)

// testKey is the paySignKey of testdata/vectors/app_signature.json; the
// samples under testdata/notifications that verify were signed with it.
const testKey = "L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K"

type appSignatureVector struct {
	Name         string `json:"name"`
	AppID        string `json:"appid"`
	AppKey       string `json:"appkey"`
	OpenID       string `json:"openid"`
	TimeStamp    string `json:"timestamp"`
	StringToSign string `json:"string_to_sign"`
	AppSignature string `json:"app_signature"`
}

func readJSON(t *testing.T, path string, v any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, v); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

func appSignatureVectors(t *testing.T) []appSignatureVector {
	t.Helper()
	var file struct {
		Vectors []appSignatureVector `json:"vectors"`
	}
	readJSON(t, "testdata/vectors/app_signature.json", &file)
	if len(file.Vectors) < 4 {
		t.Fatalf("found %d vectors, want at least 4", len(file.Vectors))
	}
	return file.Vectors
}

// TestSignVectors reproduces every vector of app_signature.json by every
// way of signing, and verifies it back.
func TestSignVectors(t *testing.T) {
	vectors := appSignatureVectors(t)
	if vectors[0].AppKey != testKey {
		t.Fatalf("testKey is not the key of the first vector")
	}
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			params := []Param{{"appid", v.AppID}, {"openid", v.OpenID}, {"timestamp", v.TimeStamp}}

			if got := string(appendCanonical(nil, params, v.AppKey)); got != v.StringToSign {
				t.Errorf("string to sign:\n got %q\nwant %q", got, v.StringToSign)
			}
			masked := strings.Replace(v.StringToSign, "appkey="+v.AppKey+"&", "appkey=***&", 1)
			if got := StringToSign(params); got != masked {
				t.Errorf("StringToSign = %q, want %q", got, masked)
			}
			if strings.Contains(StringToSign(params), v.AppKey) && len(v.AppKey) > 3 {
				t.Errorf("StringToSign leaks the key")
			}
			sum := sha1.Sum([]byte(v.StringToSign))
			if hex.EncodeToString(sum[:]) != v.AppSignature {
				t.Fatalf("the vector file is inconsistent: sha1(string_to_sign) != app_signature")
			}

			sig, err := Sign(params, v.AppKey)
			if err != nil || sig != v.AppSignature {
				t.Errorf("Sign = %q, %v; want %q", sig, err, v.AppSignature)
			}
			sig, err = SignNotification(v.AppID, v.OpenID, v.TimeStamp, v.AppKey)
			if err != nil || sig != v.AppSignature {
				t.Errorf("SignNotification = %q, %v; want %q", sig, err, v.AppSignature)
			}
			// Key case, order and white space around values do not matter.
			shuffled := []Param{{"TimeStamp", " " + v.TimeStamp}, {"OPENID", v.OpenID + "\n"}, {"AppId", "\t" + v.AppID}}
			if sig, err := Sign(shuffled, v.AppKey); err != nil || sig != v.AppSignature {
				t.Errorf("Sign(shuffled, upper-case keys, untrimmed values) = %q, %v; want %q", sig, err, v.AppSignature)
			}

			for _, s := range []string{v.AppSignature, strings.ToUpper(v.AppSignature)} {
				if err := VerifySignature(params, v.AppKey, s); err != nil {
					t.Errorf("VerifySignature(%s): %v", s, err)
				}
			}

			n := &Notification{AppID: v.AppID, OpenID: v.OpenID, TimeStamp: v.TimeStamp, MsgType: MsgConfirm, FeedBackID: "1"}
			if err := n.Sign(v.AppKey); err != nil {
				t.Fatal(err)
			}
			if n.AppSignature != v.AppSignature || n.SignMethod != SignMethodSHA1 {
				t.Errorf("Notification.Sign set %q/%q, want %q/sha1", n.AppSignature, n.SignMethod, v.AppSignature)
			}
			if err := n.Verify(v.AppKey); err != nil {
				t.Errorf("Verify after Sign: %v", err)
			}
		})
	}
}

// TestVerifyErrors: every way a signature check fails, by sentinel.
func TestVerifyErrors(t *testing.T) {
	v := appSignatureVectors(t)[0]
	good := func() *Notification {
		return &Notification{AppID: v.AppID, OpenID: v.OpenID, TimeStamp: v.TimeStamp, MsgType: MsgConfirm,
			FeedBackID: "1", AppSignature: v.AppSignature, SignMethod: "sha1"}
	}
	flip := func(s string, i int) string {
		b := []byte(s)
		if b[i] == '0' {
			b[i] = '1'
		} else {
			b[i] = '0'
		}
		return string(b)
	}
	tests := []struct {
		name   string
		modify func(n *Notification)
		key    string
		want   error
	}{
		{"valid", func(*Notification) {}, v.AppKey, nil},
		{"valid, SignMethod SHA1", func(n *Notification) { n.SignMethod = "SHA1" }, v.AppKey, nil},
		{"valid, no SignMethod", func(n *Notification) { n.SignMethod = "" }, v.AppKey, nil},
		{"valid, upper-case hex", func(n *Notification) { n.AppSignature = strings.ToUpper(n.AppSignature) }, v.AppKey, nil},
		{"unsigned fields changed", func(n *Notification) { n.MsgType, n.FeedBackID, n.Reason = MsgReject, "2", "x" }, v.AppKey, nil},
		{"empty key", func(*Notification) {}, "", ErrEmptyKey},
		{"empty key, no signature", func(n *Notification) { n.AppSignature = "" }, "", ErrMissingSignature},
		{"no signature", func(n *Notification) { n.AppSignature = "" }, v.AppKey, ErrMissingSignature},
		{"SignMethod md5", func(n *Notification) { n.SignMethod = "md5" }, v.AppKey, ErrUnknownSignMethod},
		{"SignMethod sha256", func(n *Notification) { n.SignMethod = "sha256" }, v.AppKey, ErrUnknownSignMethod},
		{"wrong key", func(*Notification) {}, v.AppKey + "x", ErrBadSignature},
		{"wrong key, one letter", func(*Notification) {}, "l" + v.AppKey[1:], ErrBadSignature},
		{"signed field changed: openid", func(n *Notification) { n.OpenID += "x" }, v.AppKey, ErrBadSignature},
		{"signed field changed: appid", func(n *Notification) { n.AppID = "wx0000000000000000" }, v.AppKey, ErrBadSignature},
		{"signed field changed: timestamp", func(n *Notification) { n.TimeStamp = "1369743512" }, v.AppKey, ErrBadSignature},
		{"39 hex digits", func(n *Notification) { n.AppSignature = n.AppSignature[:39] }, v.AppKey, ErrBadSignature},
		{"41 hex digits", func(n *Notification) { n.AppSignature += "0" }, v.AppKey, ErrBadSignature},
		{"80 hex digits", func(n *Notification) { n.AppSignature += n.AppSignature }, v.AppKey, ErrBadSignature},
		{"non-hex digit", func(n *Notification) { n.AppSignature = "g" + n.AppSignature[1:] }, v.AppKey, ErrBadSignature},
		{"non-hex, right length", func(n *Notification) { n.AppSignature = strings.Repeat("zz", 20) }, v.AppKey, ErrBadSignature},
		{"MD5-length signature", func(n *Notification) { n.AppSignature = n.AppSignature[:32] }, v.AppKey, ErrBadSignature},
	}
	for i := range 40 {
		tests = append(tests, struct {
			name   string
			modify func(n *Notification)
			key    string
			want   error
		}{fmt.Sprintf("flipped hex digit %02d", i), func(n *Notification) { n.AppSignature = flip(n.AppSignature, i) }, v.AppKey, ErrBadSignature})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := good()
			tt.modify(n)
			err := n.Verify(tt.key)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Verify = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("Verify = %v, want %v", err, tt.want)
			}
			if tt.key != "" && strings.Contains(err.Error(), tt.key) {
				t.Errorf("error %q leaks the key", err)
			}
			if tt.want != ErrUnknownSignMethod {
				params := []Param{{"appid", n.AppID}, {"openid", n.OpenID}, {"timestamp", n.TimeStamp}}
				if err2 := VerifySignature(params, tt.key, n.AppSignature); !errors.Is(err2, tt.want) {
					t.Errorf("VerifySignature = %v, want %v like Verify", err2, tt.want)
				}
			}
		})
	}
}

func TestSignEmptyKey(t *testing.T) {
	if _, err := Sign([]Param{{"appid", "wx"}}, ""); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("Sign with an empty key = %v, want ErrEmptyKey", err)
	}
	if _, err := SignNotification("wx", "o", "1", ""); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("SignNotification with an empty key = %v, want ErrEmptyKey", err)
	}
	n := &Notification{AppID: "wx", OpenID: "o", TimeStamp: "1"}
	if err := n.Sign(""); !errors.Is(err, ErrEmptyKey) {
		t.Errorf("Notification.Sign with an empty key = %v, want ErrEmptyKey", err)
	}
	if n.AppSignature != "" || n.SignMethod != "" {
		t.Errorf("a failed Sign changed the notification: %+v", n)
	}
}

// TestSignKeepsSignMethod: Sign fills an empty SignMethod and keeps one set.
func TestSignKeepsSignMethod(t *testing.T) {
	n := &Notification{AppID: "wx", OpenID: "o", TimeStamp: "1", SignMethod: "SHA1"}
	if err := n.Sign("k"); err != nil {
		t.Fatal(err)
	}
	if n.SignMethod != "SHA1" {
		t.Errorf("SignMethod = %q, want SHA1 kept", n.SignMethod)
	}
	if err := n.Verify("k"); err != nil {
		t.Errorf("Verify: %v", err)
	}
}

// TestSignDeliverNotify reproduces the deliver-notify vectors (docs/protocol.md,
// "Deliver notify"): every field but sign_method, plus appkey. The expected signatures
// were computed with sha1sum, independently of this code.
func TestSignDeliverNotify(t *testing.T) {
	var file struct {
		Vectors []struct {
			Name         string            `json:"name"`
			AppKey       string            `json:"appkey"`
			Fields       map[string]string `json:"fields"`
			StringToSign string            `json:"string_to_sign"`
			AppSignature string            `json:"app_signature"`
		} `json:"vectors"`
	}
	readJSON(t, "testdata/vectors/deliver_notify.json", &file)
	if len(file.Vectors) == 0 {
		t.Fatal("no deliver-notify vectors")
	}
	for _, v := range file.Vectors {
		t.Run(v.Name, func(t *testing.T) {
			var params []Param
			for k, val := range v.Fields {
				if k != "sign_method" {
					params = append(params, Param{k, val})
				}
			}
			// Map order is random: Sign must sort.
			sort.Slice(params, func(i, j int) bool { return params[i].Key > params[j].Key })
			if len(params) != 7 {
				t.Fatalf("%d signed fields, want 7", len(params))
			}
			if got := string(appendCanonical(nil, params, v.AppKey)); got != v.StringToSign {
				t.Errorf("string to sign:\n got %q\nwant %q", got, v.StringToSign)
			}
			sig, err := Sign(params, v.AppKey)
			if err != nil || sig != v.AppSignature {
				t.Errorf("Sign = %q, %v; want %q", sig, err, v.AppSignature)
			}
			if err := VerifySignature(params, v.AppKey, v.AppSignature); err != nil {
				t.Errorf("VerifySignature: %v", err)
			}
			withMethod := append(params[:len(params):len(params)], Param{"sign_method", "sha1"})
			if err := VerifySignature(withMethod, v.AppKey, v.AppSignature); !errors.Is(err, ErrBadSignature) {
				t.Errorf("signing sign_method too must change the signature; VerifySignature = %v", err)
			}
		})
	}
}

// TestSignManyParams: more params than the stack buffer holds still sign
// correctly.
func TestSignManyParams(t *testing.T) {
	var params []Param
	var parts []string
	for i := range 40 {
		k := "k" + string(rune('a'+i%26)) + string(rune('a'+i/26))
		val := strings.Repeat("v", 40)
		params = append(params, Param{k, val})
		parts = append(parts, k+"="+val)
	}
	parts = append(parts, "appkey=key")
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "&")))
	sig, err := Sign(params, "key")
	if err != nil || sig != hex.EncodeToString(sum[:]) {
		t.Errorf("Sign(40 params) = %q, %v; want %x", sig, err, sum)
	}
}

func TestLowerASCII(t *testing.T) {
	for in, want := range map[string]string{"": "", "appid": "appid", "AppId": "appid", "OPENID": "openid", "Ü": "Ü"} {
		if got := lowerASCII(in); got != want {
			t.Errorf("lowerASCII(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestVerifyMatchesSign: the unrolled string to sign of Verify is the one
// Sign builds, on the vectors and on awkward values.
func TestVerifyMatchesSign(t *testing.T) {
	cases := [][4]string{{"wx", "o", "1", "k"}, {" wx\n", "\to ", " 1369743511", " key "}, {"", "", "", "k"},
		{"a&b=c", "ü", "1", "K=&"}}
	for _, v := range appSignatureVectors(t) {
		cases = append(cases, [4]string{v.AppID, v.OpenID, v.TimeStamp, v.AppKey})
	}
	for _, c := range cases {
		checkVerifyMatchesSign(t, c[0], c[1], c[2], c[3])
	}
}

func checkVerifyMatchesSign(t *testing.T, appID, openID, timestamp, key string) {
	t.Helper()
	generic := appendCanonical(nil, notificationParams(appID, openID, timestamp), key)
	unrolled := appendNotificationCanonical(nil, appID, openID, timestamp, key)
	if string(generic) != string(unrolled) {
		t.Fatalf("string to sign of %q: generic %q, unrolled %q", []string{appID, openID, timestamp}, generic, unrolled)
	}
	sig, err := SignNotification(appID, openID, timestamp, key)
	if err != nil {
		t.Fatal(err)
	}
	n := &Notification{AppID: appID, OpenID: openID, TimeStamp: timestamp, AppSignature: sig}
	if err := n.Verify(key); err != nil {
		t.Fatalf("Verify of what SignNotification signed (%q): %v", []string{appID, openID, timestamp}, err)
	}
}

// FuzzVerifyMatchesSign: Verify's unrolled string to sign is Sign's.
func FuzzVerifyMatchesSign(f *testing.F) {
	f.Add("wxf8b4f85f3a794e77", "oDF3iY9P32sK_5GgYiRkjsCo45bk", "1369743511", testKey)
	f.Add(" a ", "\tb", "c\n", "k")
	f.Fuzz(func(t *testing.T, appID, openID, timestamp, key string) {
		if key == "" {
			return
		}
		checkVerifyMatchesSign(t, appID, openID, timestamp, key)
	})
}
