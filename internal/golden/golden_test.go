package golden

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records failures instead of failing.
type recorder struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.failed = true
	r.msg = format
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg = format
}

func TestCheck(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "sub", "x.golden")

	r := &recorder{TB: t}
	Check(r, path, []byte("a\n"))
	if !r.failed || !strings.Contains(r.msg, "-update creates it") {
		t.Errorf("a missing golden file: failed=%v msg=%q, want a failure that says how to create it", r.failed, r.msg)
	}

	*update = true
	r = &recorder{TB: t}
	Check(r, path, []byte("a\n"))
	*update = false
	if r.failed {
		t.Fatalf("-update failed: %s", r.msg)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "a\n" {
		t.Fatalf("-update wrote %q, %v; want %q", b, err, "a\n")
	}

	r = &recorder{TB: t}
	Check(r, path, []byte("a\n"))
	if r.failed {
		t.Errorf("equal content failed: %s", r.msg)
	}
	r = &recorder{TB: t}
	Check(r, path, []byte("b\n"))
	if !r.failed || !strings.Contains(r.msg, "differs from its golden file") {
		t.Errorf("different content: failed=%v msg=%q, want a diff", r.failed, r.msg)
	}
}
