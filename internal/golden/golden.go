package golden

import (
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// update is the test binary's -update flag. A flag is the one package
// variable here: the testing package parses flags once per binary, and
// every golden file of the binary obeys the same one.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/ instead of comparing with them")

// Updating reports whether -update was given, for tests that must also
// create or remove golden files of their own.
func Updating() bool { return *update }

// Check compares got with the golden file at path. With -update it writes
// got there instead (creating the directories). A mismatch fails the test
// with a line diff and the command that rewrites the file.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatalf("golden: %v", err)
			return
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("golden: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test -run '%s' -update creates it)", err, t.Name())
		return
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s differs from its golden file (-want +got):\n%s\n(go test -run '%s' -update rewrites it, if the change is intended)", path, diff, t.Name())
	}
}
