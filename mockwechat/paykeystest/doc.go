// Package paykeystest gives the tests of one test binary a single
// Complaints 2.0 identity for mockwechat, made once and copied into each
// test's own keys directory.
//
// A fake playing Complaints 2.0 with a fresh identity generates three
// 2048-bit RSA keys (the merchant's API key, WeChat Pay's public key, the
// platform certificate's key): about a third of a second of CPU, and its
// time varies a lot from start to start. A suite that starts a fake per
// test pays it per test. Identity makes the keys directory once (the
// files mockwechat.PayOptions.KeysDir and payfeedback mock --pay-keys
// write and load) and hands each test a copy under t.TempDir(), so that
// fakes start in milliseconds and no test sees what another wrote. The
// fakes started on copies share one identity: the same merchant serial,
// APIv3 key, WeChat Pay public key and platform certificate, as one fake
// restarted on its keys directory would. Tests about how a fake makes its
// identity, or about two fakes of different identities, start without
// it.
//
//	var keys paykeystest.Identity
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		keys.Close()
//		os.Exit(code)
//	}
//
//	func TestRefund(t *testing.T) {
//		fake := mockwechat.NewServer(mockwechat.Options{Pay: &mockwechat.PayOptions{KeysDir: keys.Dir(t)}})
//		defer fake.Close()
//		…
//	}
package paykeystest
