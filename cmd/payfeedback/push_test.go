package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/payfeedback/payfeedback"
)

func TestPush(t *testing.T) {
	const key = "merchant-key"
	var mu sync.Mutex
	var got []*payfeedback.Notification
	var gotErr []error
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		n, err := payfeedback.ParseNotification(b)
		if err == nil {
			err = n.Verify(key)
		}
		mu.Lock()
		got = append(got, n)
		gotErr = append(gotErr, err)
		mu.Unlock()
		if err != nil {
			http.Error(w, "refused", http.StatusUnauthorized)
			return
		}
		io.WriteString(w, "success")
	}))
	defer srv.Close()

	base := []string{"push", "--url", srv.URL, "--appid", "wx0123456789abcdef", "--paysignkey", key}
	tests := []struct {
		name    string
		args    []string
		code    int
		wantOut string
		check   func(t *testing.T, n *payfeedback.Notification, err error)
	}{
		{"request", []string{"--openid", "o1", "--feedbackid", "13275936403980775178", "--transid", "1001", "--reason", "坏了",
			"--solution", "退款", "--extinfo", "tel", "--pic", "http://p/1", "--pic", "http://p/2", "--timestamp", "1369743511"},
			0, "HTTP 200 OK\nsuccess", func(t *testing.T, n *payfeedback.Notification, err error) {
				if err != nil || n.MsgType != payfeedback.MsgRequest || n.FeedBackID != "13275936403980775178" || n.TransID != "1001" ||
					n.Reason != "坏了" || len(n.PicURLs) != 2 || n.TimeStamp != "1369743511" || n.OpenID != "o1" {
					t.Fatalf("received %+v (%v)", n, err)
				}
			}},
		{"confirm, ids generated", []string{"--msgtype", "confirm", "--appkey", key}, 0, "HTTP 200", func(t *testing.T, n *payfeedback.Notification, err error) {
			if err != nil || n.MsgType != payfeedback.MsgConfirm || len(n.FeedBackID) != 20 || n.OpenID == "" || n.TransID != "" {
				t.Fatalf("received %+v (%v)", n, err)
			}
		}},
		{"bad signature refused", []string{"--msgtype", "reject", "--bad-signature"}, 1, "HTTP 401", func(t *testing.T, n *payfeedback.Notification, err error) {
			if err == nil {
				t.Fatal("the receiver accepted a bad signature")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			code := run(context.Background(), append(append([]string{}, base...), tt.args...), stdio{Stdout: &out, Stderr: &errOut})
			if code != tt.code || !strings.Contains(out.String(), tt.wantOut) {
				t.Fatalf("exit %d out %q err %q; want %d and %q", code, out.String(), errOut.String(), tt.code, tt.wantOut)
			}
			if strings.Contains(out.String()+errOut.String(), key) {
				t.Fatal("the paySignKey was printed")
			}
			mu.Lock()
			n, err := got[len(got)-1], gotErr[len(gotErr)-1]
			mu.Unlock()
			tt.check(t, n, err)
		})
	}
}

func TestPushDryRunAndErrors(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run(context.Background(), []string{"push", "--dry-run", "--appid", "wxf8b4f85f3a794e77", "--paysignkey",
		"L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K",
		"--openid", "oDF3iY9P32sK_5GgYiRkjsCo45bk", "--timestamp", "1369743511", "--feedbackid", "1"}, stdio{Stdout: &out, Stderr: &errOut})
	if code != 0 || !strings.Contains(out.String(), "e607dd290beb44375bab4f902782234dbdb61913") {
		t.Fatalf("dry run: %d %q %q", code, out.String(), errOut.String())
	}

	dead := httptest.NewServer(http.NotFoundHandler())
	deadURL := dead.URL
	dead.Close()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--appid", "a", "--paysignkey", "k"}, 2, "--url is required"},
		{[]string{"--url", "localhost:1", "--appid", "a", "--paysignkey", "k"}, 2, "not an absolute"},
		{[]string{"--url", "http://x", "--paysignkey", "k"}, 2, "--appid is required"},
		{[]string{"--url", "http://x", "--appid", "a"}, 2, "--paysignkey is required"},
		{[]string{"--url", "http://x", "--appid", "a", "--paysignkey", "k", "--msgtype", "refund"}, 2, "--msgtype"},
		{[]string{"--url", "http://x", "--appid", "a", "--paysignkey", "k", "--timestamp", "now"}, 2, "--timestamp"},
		{[]string{"--url", "http://x", "--appid", "a", "--paysignkey", "k", "--pic", "1", "--pic", "2", "--pic", "3", "--pic", "4", "--pic", "5", "--pic", "6"}, 2, "at most 5"},
		{[]string{"--url", deadURL, "--appid", "a", "--paysignkey", "k"}, 1, "POST"},
	} {
		var out, errOut bytes.Buffer
		code := run(context.Background(), append([]string{"push"}, tt.args...), stdio{Stdout: &out, Stderr: &errOut})
		if code != tt.code || !strings.Contains(errOut.String(), tt.want) {
			t.Errorf("push %v: exit %d stderr %q; want %d and %q", tt.args, code, errOut.String(), tt.code, tt.want)
		}
	}
}
