package main

import (
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// testPayIdentity is the fake's Complaints 2.0 identity (the WeChat Pay
// public key, the platform certificate, the demo merchant) for this test
// binary, made once: a fresh payfeedback mock generates three 2048-bit RSA
// keys, a third of a second of CPU, which most tests have no use for.
var testPayIdentity sharedPayIdentity

// sharedPayIdentity makes the identity at the first copy and keeps it in
// a directory removed by TestMain.
type sharedPayIdentity struct {
	once sync.Once
	dir  string
	err  error
}

// payKeys returns a keys directory of the test's own (mock --pay-keys)
// holding a copy of the shared identity: the fake started on it loads the
// keys instead of making them. Tests of the identity a fake makes (the
// banner's keys line, keys kept beside --state) start without it.
func payKeys(t *testing.T) string {
	t.Helper()
	c := &testPayIdentity
	c.once.Do(func() {
		if c.dir, c.err = os.MkdirTemp("", "payfeedback-paykeys-"); c.err != nil {
			return
		}
		var s *mockwechat.Server
		if s, c.err = mockwechat.New(mockwechat.Options{Pay: &mockwechat.PayOptions{KeysDir: c.dir}}); c.err == nil {
			s.Close()
		}
	})
	if c.err != nil {
		t.Fatalf("making the tests' Complaints 2.0 identity: %v", c.err)
	}
	dir := filepath.Join(t.TempDir(), "paykeys")
	if err := os.CopyFS(dir, os.DirFS(c.dir)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// close removes the identity's directory.
func (c *sharedPayIdentity) close() {
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
}
