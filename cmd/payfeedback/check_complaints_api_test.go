package main

import (
	"bytes"
	"os/exec"
	"strings"
	"testing"

	"github.com/payfeedback/payfeedback/conformance"
)

// startComplaintsMerchant builds examples/complaints-merchant and runs it
// on loopback with --api at the suite's fake (fakeAddr, not listening
// yet: its registration of the callback URL fails and is logged, as the
// example allows) and the keys directory; it is stopped when the test
// ends. It returns the merchant's callback URL.
func startComplaintsMerchant(t *testing.T, fakeAddr, keys string) string {
	t.Helper()
	bin := exampleBinary(t, "complaints-merchant")
	addr := freeAddr(t)
	cmd := exec.Command(bin, "--addr", addr, "--api", "http://"+fakeAddr, "--keys", keys, "--complete", "auto")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
		if t.Failed() {
			t.Logf("examples/complaints-merchant's log:\n%s", log.String())
		}
	})
	return "http://" + addr + "/wechat/complaints"
}

// TestCheckComplaintsExampleMerchant: examples/complaints-merchant, a
// process of its own calling the suite's fake (--api) with the keys
// directory, passes every case of the plan on the virtual clock; the
// cases of what it chooses not to do (refund decisions, immediate-service
// replies, history reads) are skipped. It trusts the public key only (a
// merchant on platform certificates runs without pub_key.pem), so the
// callbacks are signed in key mode public-key.
func TestCheckComplaintsExampleMerchant(t *testing.T) {
	t.Parallel()
	keys := payKeysDir(t)
	fakeAddr := freeAddr(t)
	url := startComplaintsMerchant(t, fakeAddr, keys)
	res := runCLI(t, "", nil, payCheckArgs(url, keys, "--pay-mode", "public-key", "--api", "--api-addr", fakeAddr,
		"--virtual-clock", "--wait", "30s", "--api-timeout", "10s")...)
	if res.code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	skipped := []string{"api/refund/decision", "api/immediate/fresh-id", "api/immediate/retry-same-id", "api/history/paged", "chaos/callbacks"}
	total := len(conformance.PlanComplaints.Cases())
	notSigned := 8 // accept/key/platform-certificate and the switch's 7 days: no callback is signed so in key mode public-key
	for _, want := range []string{
		"fake WeChat (Complaints 2.0) for the API cases at http://" + fakeAddr,
		"PASS  once/retry/processed-once\n", "PASS  api/detail/fetched\n", "PASS  api/reply/valid\n", "PASS  api/complete/valid\n",
		"PASS  api/limits/per-minute\n", "PASS  api/deadline/respond-within\n",
		itoa(total) + " cases, " + itoa(total-len(skipped)-notSigned) + " passed, " + itoa(len(skipped)+notSigned) + " skipped, 0 failed\n",
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
	for _, id := range skipped {
		if !strings.Contains(res.stdout, "SKIP  "+id+":") {
			t.Errorf("%s not skipped:\n%s", id, res.stdout)
		}
	}
}

// TestCheckComplaintsAPINothingCalls: a receiver that never calls the API
// fails api/detail/fetched saying so, and the scenario's other cases are
// failed or inconclusive, never passed.
func TestCheckComplaintsAPINothingCalls(t *testing.T) {
	t.Parallel()
	keys := payKeysDir(t)
	url := callbackMerchant(t, keys)
	res := runCLI(t, "", nil, payCheckArgs(url, keys, "--api", "--api-addr", "127.0.0.1:0", "--api-timeout", "300ms", "--run", "^api/")...)
	if res.code != 1 {
		t.Fatalf("exit %d, want 1\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	for _, want := range []string{"FAIL  api/detail/fetched", "the merchant made no API call to the fake at all", "FAIL  api/deadline/respond-within"} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
		}
	}
	if strings.Contains(res.stdout, "PASS  api/") {
		t.Errorf("an api case passed for a merchant that made no call:\n%s", res.stdout)
	}
}
