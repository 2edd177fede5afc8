package golden_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/payfeedback/payfeedback/internal/golden"
)

// report is a testing.TB that records a failure instead of failing, so
// the example can show one.
type report struct {
	testing.TB
	failed bool
}

func (*report) Helper()                 {}
func (*report) Name() string            { return "TestReport" }
func (r *report) Errorf(string, ...any) { r.failed = true }
func (r *report) Fatalf(string, ...any) { r.failed = true }

// A test compares its output with the golden file; go test -update would
// rewrite the file instead.
func Example() {
	dir, err := os.MkdirTemp("", "golden")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "testdata", "report.golden")
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fmt.Println(err)
		return
	}
	if err := os.WriteFile(path, []byte("55 cases, 55 passed\n"), 0o644); err != nil {
		fmt.Println(err)
		return
	}

	t := &report{} // in a real test: the *testing.T
	golden.Check(t, path, []byte("55 cases, 55 passed\n"))
	fmt.Println("same output, failed:", t.failed)
	golden.Check(t, path, []byte("55 cases, 54 passed\n"))
	fmt.Println("other output, failed:", t.failed)
	// Output:
	// same output, failed: false
	// other output, failed: true
}
