package main

import (
	"testing"

	"github.com/payfeedback/payfeedback/mockwechat/paykeystest"
)

// testPayIdentity is the fake's Complaints 2.0 identity (the WeChat Pay
// public key, the platform certificate, the demo merchant) for this test
// binary, made once: a fresh payfeedback mock generates three 2048-bit RSA
// keys, a third of a second of CPU, which most tests have no use for.
// TestMain closes it.
var testPayIdentity paykeystest.Identity

// payKeys returns a keys directory of the test's own (mock --pay-keys)
// holding a copy of the shared identity: the fake started on it loads the
// keys instead of making them. Tests of the identity a fake makes (the
// banner's keys line, keys kept beside --state) start without it.
func payKeys(t *testing.T) string {
	t.Helper()
	return testPayIdentity.Dir(t)
}
