package mockwechat

import (
	"testing"

	"github.com/payfeedback/payfeedback/mockwechat/paykeystest"
)

// testPayIdentity is the Complaints 2.0 identity of this test binary (the
// WeChat Pay public key, the platform certificate, the demo merchant),
// made once: a fresh fake generates three 2048-bit RSA keys, a third of a
// second of CPU, which most tests have no use for. TestMain closes it.
var testPayIdentity paykeystest.Identity

// payKeys returns a keys directory of the test's own (Options.Pay.KeysDir)
// holding a copy of the shared identity: the fake started on it loads the
// keys instead of making them. Tests of how a fake makes its identity, or
// of two fakes with different identities, start on PayOptions{} or an
// empty directory instead.
func payKeys(t *testing.T) string {
	t.Helper()
	return testPayIdentity.Dir(t)
}
