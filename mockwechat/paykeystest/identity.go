package paykeystest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
)

// Identity is one Complaints 2.0 identity shared by the tests of a test
// binary. The zero value is ready to use; declare one at package level and
// Close it from TestMain. It is safe for concurrent use by parallel tests.
type Identity struct {
	once   sync.Once
	mu     sync.Mutex
	dir    string // the identity's own directory, made by the first copy
	err    error
	closed bool
}

// Dir returns a new keys directory of tb's own, under tb.TempDir(),
// holding a copy of the identity, for mockwechat.PayOptions.KeysDir or
// payfeedback mock --pay-keys. The first copy makes the identity; a
// failure fails tb.
func (s *Identity) Dir(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(tb.TempDir(), "paykeys")
	if err := s.CopyTo(dir); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// CopyTo writes a copy of the identity into dir, made if missing (mode
// 0700; the files 0600, as the fake writes them); dir must not hold any of
// the identity's files. The first copy makes the identity.
func (s *Identity) CopyTo(dir string) error {
	s.once.Do(s.make)
	s.mu.Lock()
	src, err, closed := s.dir, s.err, s.closed
	s.mu.Unlock()
	switch {
	case closed:
		return errors.New("paykeystest: CopyTo after Close: close the Identity once every test has run (TestMain, after m.Run)")
	case err != nil:
		return err
	}
	if err := copyKeys(dir, src); err != nil {
		return fmt.Errorf("paykeystest: copying the identity to %s: %w", dir, err)
	}
	return nil
}

// make generates the identity into a directory of its own.
func (s *Identity) make() {
	dir, err := os.MkdirTemp("", "paykeystest-")
	if err == nil {
		if _, err = paykeys.Open(paykeys.Options{Dir: dir}); err != nil {
			os.RemoveAll(dir)
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.err = fmt.Errorf("paykeystest: making the Complaints 2.0 identity: %w", err)
		return
	}
	s.dir = dir
}

// Close removes the identity's own directory (the tests' copies go with
// their tests). Call it once every test has run, from TestMain after
// m.Run; a copy after it fails. Closing an Identity never used does
// nothing.
func (s *Identity) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	dir := s.dir
	s.dir = ""
	if dir == "" {
		return nil
	}
	return os.RemoveAll(dir)
}

// copyKeys copies the regular files of src into dst, refusing to write
// over a file there.
func copyKeys(dst, src string) error {
	if err := os.MkdirAll(dst, 0o700); err != nil {
		return err
	}
	entries, err := os.ReadDir(src)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			return fmt.Errorf("%s is not a regular file", filepath.Join(src, e.Name()))
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return err
		}
		f, err := os.OpenFile(filepath.Join(dst, e.Name()), os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return err
		}
		_, werr := f.Write(b)
		if cerr := f.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return werr
		}
	}
	return nil
}
