package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/internal/benchcpu"
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
	t.Parallel()
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

// BenchmarkMockResumePay: payfeedback mock --state resuming a world of
// 10,000 Complaints 2.0 complaints (docs/performance.md, "Scenario and
// state loading", beside BenchmarkMockResume's V1.5 figure): each with
// its order, encrypted phone and history, and its CREATE_COMPLAINT
// callback pending on the ladder (the merchant has no callback URL yet),
// read, checked whole, parsed and restored into a running fake, the
// callbacks rescheduled on its clock.
func BenchmarkMockResumePay(b *testing.B) {
	const n = 10000
	for _, format := range []string{"yaml", "json"} {
		b.Run(fmt.Sprintf("%s/%d", format, n), func(b *testing.B) {
			path := filepath.Join(b.TempDir(), "world."+format)
			srv, err := mockwechat.New(mockwechat.Options{Clock: mockwechat.NewVirtualClock(time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)),
				Pay: &mockwechat.PayOptions{}})
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			ctx := context.Background()
			for i := range n {
				if _, err := srv.FilePayComplaint(ctx, mockwechat.PayComplaintSpec{Detail: fmt.Sprintf("第%d次投诉：会员自动续费未经同意，要求退款", i),
					ProblemType: "REFUND"}); err != nil {
					b.Fatal(err)
				}
			}
			if err := srv.WaitPayIdle(ctx); err != nil {
				b.Fatal(err)
			}
			data, err := mockwechat.MarshalScenario(srv.Snapshot(), format)
			if err != nil {
				b.Fatal(err)
			}
			if err := saveState(path, data); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			files := mockFiles{state: path}
			start := benchcpu.Now()
			for b.Loop() {
				if ok, err := files.resume(ctx, srv); !ok || err != nil {
					b.Fatalf("resumed %v: %v", ok, err)
				}
			}
			benchcpu.Report(b, start)
			if got := len(srv.PayComplaints()); got != n {
				b.Fatalf("%d complaints resumed, want %d", got, n)
			}
		})
	}
}
