package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// drive runs a command against the fake at base and returns its exit
// status and outputs.
func drive(t *testing.T, base string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	env := map[string]string{envMockURL: base}
	code := run(context.Background(), args, stdio{Stdout: &out, Stderr: &errOut, Getenv: func(k string) string { return env[k] }})
	return code, out.String(), errOut.String()
}

var filedLine = regexp.MustCompile(`complaint ([0-9]+) filed`)

// TestDriveCommands: complain, complaints, reject, arbitrate, confirm,
// advance, deliveries, inbox and reset drive a running payfeedback mock,
// found through $PAYFEEDBACK_MOCK_URL.
func TestDriveCommands(t *testing.T) {
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("success")) }))
	defer merchant.Close()
	base, _, _, _ := startMock(t, "--pay-keys", payKeys(t), "--virtual-clock", "--clock-start", "2025-03-01T10:00:00Z", "--notify-url", merchant.URL, "--log", "off")

	code, out, errOut := drive(t, base, "complain", "--openid", "o-demo", "--reason", "没收到货", "--solution", "退款", "--goods", "virtual")
	m := filedLine.FindStringSubmatch(out)
	if code != 0 || m == nil || !strings.Contains(out, "没收到货") || !strings.Contains(out, "退款") || !strings.Contains(out, "state       filed") {
		t.Fatalf("complain: exit %d\n%s%s", code, out, errOut)
	}
	id := m[1]
	code, out, _ = drive(t, base, "complain", "--openid", "o-other", "--json")
	var other mockwechat.Complaint
	if code != 0 || json.Unmarshal([]byte(out), &other) != nil || other.OpenID != "o-other" {
		t.Fatalf("complain --json: exit %d %q", code, out)
	}

	code, out, _ = drive(t, base, "complaints")
	if code != 0 || !strings.Contains(out, "ID") || !strings.Contains(out, id) || !strings.Contains(out, "o-other") || !strings.Contains(out, "没收到货") {
		t.Fatalf("complaints: exit %d\n%s", code, out)
	}
	code, out, _ = drive(t, base, "complaints", "--openid", "o-other", "--json")
	var list []mockwechat.Complaint
	if code != 0 || json.Unmarshal([]byte(out), &list) != nil || len(list) != 1 || list[0].FeedBackID != other.FeedBackID {
		t.Fatalf("complaints --openid --json: exit %d %q", code, out)
	}

	// the merchant handles it (payfeedback update), then the user acts;
	// the flags may follow the id
	demo := mockwechat.DemoAccount()
	if code, out, errOut := drive(t, base, "update", "--base-url", base, "--appid", demo.AppID, "--secret", demo.Secret,
		"--openid", "o-demo", "--feedbackid", id); code != 0 {
		t.Fatalf("update: exit %d %s%s", code, out, errOut)
	}
	for _, step := range []struct {
		args []string
		want string
	}{
		{[]string{"reject", id, "--reason", "还没退款"}, "rejected"},
		{[]string{"arbitrate", id}, "sent to arbitration"},
		{nil, ""}, // the merchant's evidence, through the admin API
		{[]string{"arbitrate", "--decide", "merchant", id}, "arbitrated for the merchant"},
		{[]string{"confirm", other.FeedBackID}, "confirmed"},
	} {
		if step.args == nil {
			resp, err := http.Post(base+"/_mock/complaints/"+id+"/evidence", "application/json", strings.NewReader(`{"note":"已退款"}`))
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("evidence: %v %v", resp, err)
			}
			resp.Body.Close()
			continue
		}
		code, out, errOut := drive(t, base, step.args...)
		if code != 0 || !strings.Contains(out, "complaint ") || !strings.Contains(out, step.want) {
			t.Fatalf("%v: exit %d\n%s%s", step.args, code, out, errOut)
		}
	}
	code, out, errOut = drive(t, base, "complaints", "--json")
	if code != 0 {
		t.Fatalf("complaints --json: exit %d\n%s", code, errOut)
	}
	if err := json.Unmarshal([]byte(out), &list); err != nil {
		t.Fatalf("complaints --json: %v\n%s", err, out)
	}
	if len(list) != 2 || list[0].RejectReason != "还没退款" || list[0].Arbitration == nil || list[0].Arbitration.State != mockwechat.ArbitrationDecidedForMerchant ||
		list[1].State != mockwechat.StateConfirmed {
		t.Fatalf("after the acts: %+v", list)
	}

	code, out, _ = drive(t, base, "advance", "72h")
	if code != 0 || !strings.Contains(out, "clock 2025-03-01T10:00:00Z → 2025-03-04T10:00:00Z (+72h0m0s)") {
		t.Fatalf("advance: exit %d %q", code, out)
	}

	code, out, _ = drive(t, base, "deliveries")
	if code != 0 || !strings.Contains(out, "COMPLAINT") || strings.Count(out, "delivered") != 4 || !strings.Contains(out, "200 success") {
		t.Fatalf("deliveries: exit %d\n%s", code, out)
	}

	resp, err := http.Post(base+"/_mock/users", "application/json", strings.NewReader(`{"openid":"o-demo"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	code, out, _ = drive(t, base, "inbox", "o-demo")
	if code != 0 || !strings.Contains(out, "the messaging window is open until 2025-03-05 10:00:00") || !strings.Contains(out, "no message") {
		t.Fatalf("inbox: exit %d\n%s", code, out)
	}

	code, out, _ = drive(t, base, "reset")
	if code != 0 || !strings.Contains(out, "back at its start state") {
		t.Fatalf("reset: exit %d %q", code, out)
	}
	if code, out, _ = drive(t, base, "complaints"); code != 0 || !strings.Contains(out, "no complaint") {
		t.Fatalf("complaints after reset: exit %d %q", code, out)
	}
}

// TestDeliveriesFollow: deliveries --follow prints each push attempt as it
// happens, until interrupted.
func TestDeliveriesFollow(t *testing.T) {
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "AppSignature does not match", http.StatusUnauthorized)
	}))
	defer merchant.Close()
	base, _, _, _ := startMock(t, "--pay-keys", payKeys(t), "--notify-url", merchant.URL, "--log", "off")
	ctx, cancel := context.WithCancel(context.Background())
	out, errOut := &syncBuffer{}, &syncBuffer{}
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, []string{"deliveries", "--follow", "--mock-url", base}, stdio{Stdout: out, Stderr: errOut})
	}()
	waitOutput(t, errOut, "following the pushes of "+base)
	drive(t, base, "complain", "--openid", "o-follow")
	waitOutput(t, out, "--> push request ", "(attempt 1/16)", `<-- 401 "AppSignature does not match"`, "next attempt in 15s")
	cancel()
	select {
	case c := <-code:
		if c != 0 {
			t.Fatalf("deliveries --follow ended with %d: %s", c, errOut.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("deliveries --follow did not stop")
	}
}

func TestDriveErrors(t *testing.T) {
	base, _, _, _ := startMock(t, "--pay-keys", payKeys(t), "--log", "off")
	tests := []struct {
		base string
		args []string
		code int
		want string
	}{
		{"http://127.0.0.1:1", []string{"complaints"}, 1, "no fake WeChat answers at http://127.0.0.1:1"},
		{base, []string{"confirm", "404404"}, 1, "mockwechat: complaint 404404: not found"},
		{base, []string{"advance", "1h"}, 1, "the clock is real time"},
		{base, []string{"confirm"}, 2, "the complaint's ID (its feedback_id) is required"},
		{base, []string{"confirm", "1", "2"}, 2, `unexpected argument "2"`},
		{base, []string{"advance", "3"}, 2, "use a duration such as 3s"},
		{base, []string{"arbitrate", "1", "--decide", "judge"}, 2, "--decide"},
		{base, []string{"complain", "--goods", "food"}, 2, "--goods"},
		{base, []string{"inbox"}, 2, "OPENID is required"},
		{"ftp://x", []string{"reset"}, 2, "--mock-url"},
	}
	for _, tt := range tests {
		code, _, errOut := drive(t, tt.base, tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errOut, tt.code, tt.want)
		}
		if strings.Count(errOut, "mockwechat:") > 1 {
			t.Errorf("%v: %q says mockwechat: twice", tt.args, errOut)
		}
		if code == 2 && !strings.Contains(errOut, "Try: payfeedback "+tt.args[0]) {
			t.Errorf("%v: a usage error without a hint: %q", tt.args, errOut)
		}
	}
	for _, name := range []string{"complain", "confirm", "reject", "arbitrate", "advance", "complaints", "deliveries", "inbox", "reset"} {
		code, out, _ := drive(t, base, name, "-h")
		if code != 0 || !strings.Contains(out, "Usage: payfeedback "+name) || !strings.Contains(out, "-mock-url") {
			t.Errorf("%s -h: exit %d, stdout %q", name, code, out)
		}
	}
}

// columnsOf returns the display column where each of words starts in
// line, -1 for a word not found.
func columnsOf(line string, words ...string) []int {
	out := make([]int, len(words))
	for i, w := range words {
		at := strings.Index(line, w)
		if at < 0 {
			out[i] = -1
			continue
		}
		out[i] = text.Width(line[:at])
	}
	return out
}

// TestTableAlignsByDisplayWidth: a column holding Chinese text (two
// columns a character) lines up with the others; tabwriter counted a
// character as one column, and the next column started early.
func TestTableAlignsByDisplayWidth(t *testing.T) {
	var b bytes.Buffer
	err := table(&b, []string{"ID", "ANSWER", "STATUS"}, [][]string{
		{"1", "500 queue full", "retry"},
		{"2", "500 队列已满，请稍后再试", "failed"},
		{"3", "200 success", "delivered"},
	})
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n")
	want := columnsOf(lines[0], "ANSWER", "STATUS")
	for i, word := range []string{"retry", "failed", "delivered"} {
		got := columnsOf(lines[i+1], "500", word)
		if i == 2 {
			got = columnsOf(lines[i+1], "200", word)
		}
		if got[0] != want[0] || got[1] != want[1] {
			t.Errorf("row %d starts its columns at %v, the header at %v:\n%s", i+1, got, want, b.String())
		}
	}
}

// TestDriveEscapesPeerText: what a merchant sent (an answer to a push, a
// message to a user) reaches the terminal escaped in deliveries and inbox:
// raw escape sequences could clear the screen or retitle the window. They
// were printed as they came before.
func TestDriveEscapesPeerText(t *testing.T) {
	const evil = "\x1b[2J\x1b]0;owned\a队列已满"
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, evil, http.StatusServiceUnavailable)
	}))
	defer merchant.Close()
	base, _, _, _ := startMock(t, "--pay-keys", payKeys(t), "--virtual-clock", "--notify-url", merchant.URL, "--log", "off")
	if code, out, errOut := drive(t, base, "complain", "--openid", "o-peer"); code != 0 {
		t.Fatalf("complain: exit %d %s%s", code, out, errOut)
	}
	// the push is attempted once on a virtual clock that does not move
	resp, err := http.Get(base + "/_mock/idle")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	code, out, _ := drive(t, base, "deliveries")
	if code != 0 {
		t.Fatalf("deliveries: exit %d %s", code, out)
	}
	if strings.ContainsAny(out, "\x1b\a") || !strings.Contains(out, `\x1b[2J\x1b]0;owned\a队列已满`) {
		t.Errorf("deliveries printed the merchant's answer unescaped or not at all:\n%q", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 || columnsOf(lines[0], "STATUS")[0] != columnsOf(lines[1], "retry at")[0] {
		t.Errorf("deliveries: STATUS does not line up with a Chinese answer before it:\n%s", out)
	}

	// the merchant messages the user
	demo := mockwechat.DemoAccount()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	resp, err = http.Get(base + "/cgi-bin/token?grant_type=client_credential&appid=" + demo.AppID + "&secret=" + demo.Secret)
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&tok)
	resp.Body.Close()
	body := `{"touser":"o-peer","msgtype":"text","text":{"content":"\u001b[31m退款\u001b]0;owned\u0007"}}`
	resp, err = http.Post(base+"/cgi-bin/message/custom/send?access_token="+tok.AccessToken, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	code, out, _ = drive(t, base, "inbox", "o-peer")
	if code != 0 || strings.ContainsAny(out, "\x1b\a") || !strings.Contains(out, `\x1b[31m退款\x1b]0;owned\a`) {
		t.Errorf("inbox: exit %d, the merchant's message unescaped or missing:\n%q", code, out)
	}
}

// TestDriveIDPrefix: the commands that take a complaint's id take the
// start of it when no other id starts so, as the live log cuts ids ("1530…
// filed"), and refuse an ambiguous start naming the candidates. `confirm
// 1530` answered "not found" before.
func TestDriveIDPrefix(t *testing.T) {
	merchant := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("success")) }))
	defer merchant.Close()
	base, _, _, _ := startMock(t, "--pay-keys", payKeys(t), "--notify-url", merchant.URL, "--log", "off")
	for _, id := range []string{"1524000000000000001", "1524000000000000002", "1530000000000000001"} {
		resp, err := http.Post(base+"/_mock/complaints", "application/json", strings.NewReader(`{"openid":"o`+id+`","feedback_id":"`+id+`"}`))
		if err != nil || resp.StatusCode != http.StatusCreated {
			t.Fatalf("filing %s: %v %v", id, resp, err)
		}
		resp.Body.Close()
	}
	code, out, errOut := drive(t, base, "confirm", "1530")
	if code != 0 || !strings.Contains(out, "complaint 1530000000000000001 confirmed") {
		t.Fatalf("confirm 1530: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = drive(t, base, "reject", "1524", "--reason", "x")
	if code != 1 || !strings.Contains(errOut, "mockwechat: complaint 1524 is ambiguous: 2 complaints' ids start so (1524000000000000001, 1524000000000000002): give more of the id") {
		t.Fatalf("reject 1524: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = drive(t, base, "deliveries", "--feedback-id", "1530")
	if code != 0 || !strings.Contains(out, "1530000000000000001") || strings.Contains(out, "1524000000000000001") {
		t.Fatalf("deliveries --feedback-id 1530: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = drive(t, base, "complaints", "--after", "1524")
	if code != 1 || !strings.Contains(errOut, ": mockwechat: complaint 1524 is ambiguous") || strings.Count(errOut, "mockwechat:") != 1 {
		t.Fatalf("complaints --after 1524: exit %d\n%s%s", code, out, errOut)
	}
	code, out, errOut = drive(t, base, "complaints", "--after", "153")
	if code != 0 || !strings.Contains(out, "no complaint") {
		t.Fatalf("complaints --after 153: exit %d\n%s%s", code, out, errOut)
	}
}
