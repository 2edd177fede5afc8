package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback"
)

// signedSample returns a signed request notification, encoded.
func signedSample(t *testing.T, key string, edit func(*payfeedback.Notification)) string {
	t.Helper()
	n := payfeedback.Notification{
		AppID: testAppID, OpenID: "111222", TimeStamp: "1369743511", MsgType: payfeedback.MsgRequest,
		FeedBackID: "13275936403980775178", TransID: "10123312412321435345",
		Reason: "商品质量有问题", Solution: "补发货给我", ExtInfo: "明天六点前联系我 18610847266",
		PicURLs: []string{"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0"},
	}
	if err := n.Sign(key); err != nil {
		t.Fatal(err)
	}
	if edit != nil {
		edit(&n)
	}
	b, err := n.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestVerify(t *testing.T) {
	valid := signedSample(t, testKey, nil)
	file := filepath.Join(t.TempDir(), "request.xml")
	if err := os.WriteFile(file, []byte(valid), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		stdin    string
		args     []string
		wantCode int
		golden   string // golden file for stdout, when set
		wantErr  string
	}{
		{name: "valid from stdin", stdin: valid, args: []string{"--paysignkey", testKey}, golden: "verify_valid.golden"},
		{name: "valid from file", args: []string{"--paysignkey", testKey, file}, golden: "verify_valid.golden"},
		{name: "valid from dash", stdin: valid, args: []string{"--appkey", testKey, "--appid", testAppID, "-"}, golden: "verify_valid.golden"},
		{name: "json", stdin: valid, args: []string{"--paysignkey", testKey, "--json"}, golden: "verify_valid_json.golden"},
		{name: "wrong key", stdin: valid, args: []string{"--paysignkey", "other"}, wantCode: 1, wantErr: "AppSignature does not match"},
		{name: "wrong key json", stdin: valid, args: []string{"--paysignkey", "other", "--json"}, wantCode: 1, golden: "verify_invalid_json.golden"},
		{name: "wrong appid", stdin: valid, args: []string{"--paysignkey", testKey, "--appid", "wxother"}, wantCode: 1, wantErr: "is not the expected --appid"},
		{name: "too old", stdin: valid, args: []string{"--paysignkey", testKey, "--max-age", "10m"}, wantCode: 1, wantErr: "more than --max-age 10m0s"},
		{name: "malformed", stdin: "<xml><AppId>", args: []string{"--paysignkey", testKey}, wantCode: 1, wantErr: "malformed XML"},
		{name: "too large", stdin: "<xml>" + strings.Repeat(" ", payfeedback.MaxNotificationSize) + "</xml>", args: []string{"--paysignkey", testKey}, wantCode: 1, wantErr: "too large"},
		{name: "tampered", stdin: signedSample(t, testKey, func(n *payfeedback.Notification) { n.OpenID = "someone-else" }), args: []string{"--paysignkey", testKey}, wantCode: 1, wantErr: "does not match"},
		{name: "no key", stdin: valid, wantCode: 2, wantErr: "--paysignkey is required"},
		{name: "two files", args: []string{"--paysignkey", testKey, file, file}, wantCode: 2, wantErr: "one FILE at most"},
		{name: "missing file", args: []string{"--paysignkey", testKey, filepath.Join(t.TempDir(), "nope.xml")}, wantCode: 1, wantErr: "no such file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, tt.stdin, nil, append([]string{"verify"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tt.wantCode, r.stderr)
			}
			if tt.golden != "" {
				checkGolden(t, tt.golden, r.stdout)
			}
			if !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.wantErr)
			}
			if strings.Contains(r.stdout+r.stderr, testKey) {
				t.Errorf("output leaks the key")
			}
		})
	}
}

func TestVerifyKeyFromEnvironment(t *testing.T) {
	valid := signedSample(t, testKey, nil)
	if r := runCLI(t, valid, map[string]string{envPaySignKey: testKey}, "verify"); r.code != 0 {
		t.Errorf("key from $%s: exit %d, stderr %q", envPaySignKey, r.code, r.stderr)
	}
	if r := runCLI(t, valid, map[string]string{envPaySignKey: "other"}, "verify"); r.code != 1 {
		t.Errorf("wrong key from $%s: exit %d, want 1", envPaySignKey, r.code)
	}
}

func TestVerifyJSONDecodes(t *testing.T) {
	r := runCLI(t, signedSample(t, testKey, nil), nil, "verify", "--paysignkey", testKey, "--json")
	var res verifyResult
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil {
		t.Fatalf("--json output is not JSON: %v\n%s", err, r.stdout)
	}
	if !res.Valid || res.Notification == nil || res.Notification.FeedBackID != "13275936403980775178" {
		t.Errorf("got %+v", res)
	}
}

// TestVerifyHintNamesASample: the hint after a usage error names a sample
// that exists, so that a user who tries it gets a result. It named
// testdata/notifications/request.xml, which does not.
func TestVerifyHintNamesASample(t *testing.T) {
	r := runCLI(t, "", nil, "verify", "--nope")
	_, file, ok := strings.Cut(r.stderr, "Try: payfeedback verify --paysignkey KEY ")
	if !ok {
		t.Fatalf("no hint: %q", r.stderr)
	}
	file = strings.TrimSpace(file)
	if _, err := os.Stat(filepath.Join("..", "..", file)); err != nil {
		t.Fatalf("the hint names %s: %v", file, err)
	}
}
