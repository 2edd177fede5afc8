package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestMockStatePay: --state saves and resumes Complaints 2.0 with the
// fake's identity: without --pay-keys the keys are kept in FILE.paykeys
// (mode 0700, files 0600), the state file (mode 0600) holds no private
// key, and the next run has the same merchant keys and the complaint. A
// state whose keys directory is lost is refused, saying which directory
// to give back, rather than resumed with keys the merchant never
// configured.
func TestMockStatePay(t *testing.T) {
	dir := t.TempDir()
	state, ready := filepath.Join(dir, "world.yaml"), filepath.Join(dir, "ready")
	args := []string{"--virtual-clock", "--clock-start", "2025-03-01T10:00:00Z", "--state", state, "--ready-file", ready}
	cmd, exited, stderr := startProcess(t, args...)
	base := waitReady(t, ready, exited)
	var filed struct {
		ComplaintID string `json:"complaint_id"`
	}
	if err := json.Unmarshal([]byte(post(t, base+"/_mock/pay/complaints", `{"problem_type":"REFUND"}`)), &filed); err != nil || filed.ComplaintID == "" {
		t.Fatalf("filing: %v %+v", err, filed)
	}
	var before []mockwechat.PayMerchant
	getJSON(t, base+"/_mock/pay/merchants", &before)
	cmd.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, stderr)
	}
	b, err := os.ReadFile(state)
	if err != nil || !strings.Contains(string(b), filed.ComplaintID) || strings.Contains(string(b), "PRIVATE KEY") {
		t.Fatalf("the state file: %v; want the complaint and no private key:\n%s", err, b)
	}
	for path, want := range map[string]os.FileMode{state: 0o600, state + ".paykeys": 0o700 | os.ModeDir,
		filepath.Join(state+".paykeys", "apiclient_key.pem"): 0o600} {
		if fi, err := os.Stat(path); err != nil || fi.Mode() != want {
			t.Errorf("%s: %v, mode %v; want %v", path, err, fi.Mode(), want)
		}
	}

	cmd, exited, stderr = startProcess(t, args...)
	base = waitReady(t, ready, exited)
	var after []mockwechat.PayMerchant
	getJSON(t, base+"/_mock/pay/merchants", &after)
	if len(before) != 1 || len(after) != 1 || after[0].SerialNo != before[0].SerialNo || after[0].APIv3Key != before[0].APIv3Key ||
		after[0].PublicKeyID != before[0].PublicKeyID || after[0].KeysDir != state+".paykeys" {
		t.Fatalf("the merchant after the restart %+v, before %+v: want the same keys, from %s.paykeys", after, before, state)
	}
	var c mockwechat.PayComplaint
	if code := getJSON(t, base+"/_mock/pay/complaints/"+filed.ComplaintID, &c); code != 200 || c.Wire.ProblemType != "REFUND" {
		t.Fatalf("after the restart, complaint %s: HTTP %d %+v", filed.ComplaintID, code, c)
	}

	cmd.Process.Signal(syscall.SIGTERM)
	if err := <-exited; err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, stderr)
	}

	// The keys directory lost: refused, naming it.
	if err := os.RemoveAll(state + ".paykeys"); err != nil {
		t.Fatal(err)
	}
	errOut := refusedMock(t, args[:len(args)-2]...)
	if want := "give --pay-keys the directory the state was saved with (without --pay-keys: " + state + ".paykeys)"; !strings.Contains(strings.ToLower(errOut), strings.ToLower(want)) {
		t.Fatalf("stderr lacks %q:\n%s", want, errOut)
	}
}
