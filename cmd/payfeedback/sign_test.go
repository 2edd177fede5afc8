package main

import (
	"strings"
	"testing"
)

const (
	testAppID = "wwwwb4f85f3a797777"
	testKey   = "L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K"
)

func TestSignKeyFromEnvironment(t *testing.T) {
	env := map[string]string{envPaySignKey: testKey}
	r := runCLI(t, "", env, "sign", "--appid", testAppID, "--openid", "111222", "--timestamp", "1369743511")
	if r.code != 0 || r.stdout != "b7668c176391109dffe9ae5e895948f433f84fed\n" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.stdout, r.stderr)
	}
	// The flag wins over the environment.
	r = runCLI(t, "", env, "sign", "--appid", "wx0123456789abcdef", "--appkey", "k", "--openid", "o-_x", "--timestamp", "0")
	if r.stdout != "06ae8680d0c2eb69cbeba9beb1419dd777881875\n" {
		t.Fatalf("with --appkey and the environment: stdout %q", r.stdout)
	}
}

func TestSign(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{
			name:    "vector short numeric openid",
			args:    []string{"--appid", testAppID, "--paysignkey", testKey, "--openid", "111222", "--timestamp", "1369743511"},
			wantOut: "b7668c176391109dffe9ae5e895948f433f84fed\n",
		},
		{
			name:    "appkey alias, one-char key",
			args:    []string{"--appid", "wx0123456789abcdef", "--appkey", "k", "--openid", "o-_x", "--timestamp", "0"},
			wantOut: "06ae8680d0c2eb69cbeba9beb1419dd777881875\n",
		},
		{
			name:    "show string masks the key",
			args:    []string{"--appid", "wx0123456789abcdef", "--appkey", "k", "--openid", "o-_x", "--timestamp", "0", "--show-string"},
			wantOut: "06ae8680d0c2eb69cbeba9beb1419dd777881875\n",
			wantErr: "appid=wx0123456789abcdef&appkey=***&openid=o-_x&timestamp=0",
		},
		{
			name:     "missing key",
			args:     []string{"--appid", testAppID, "--openid", "111222", "--timestamp", "1369743511"},
			wantCode: 2,
			wantErr:  "--paysignkey is required",
		},
		{
			name:     "missing openid",
			args:     []string{"--appid", testAppID, "--paysignkey", "k", "--timestamp", "1"},
			wantCode: 2,
			wantErr:  "--openid is required",
		},
		{
			name:     "bad timestamp",
			args:     []string{"--appid", testAppID, "--paysignkey", "k", "--openid", "o", "--timestamp", "yesterday"},
			wantCode: 2,
			wantErr:  "is not Unix seconds",
		},
		{
			name:     "stray argument",
			args:     []string{"--appid", testAppID, "--paysignkey", "k", "--openid", "o", "--timestamp", "1", "extra"},
			wantCode: 2,
			wantErr:  `unexpected argument "extra"`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runCLI(t, "", nil, append([]string{"sign"}, tt.args...)...)
			if r.code != tt.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", r.code, tt.wantCode, r.stderr)
			}
			if tt.wantCode == 0 && r.stdout != tt.wantOut {
				t.Errorf("stdout %q, want %q", r.stdout, tt.wantOut)
			}
			if !strings.Contains(r.stderr, tt.wantErr) {
				t.Errorf("stderr %q does not contain %q", r.stderr, tt.wantErr)
			}
			if tt.wantCode != 0 && strings.Contains(r.stderr, testKey) {
				t.Errorf("stderr leaks the key")
			}
		})
	}
}
