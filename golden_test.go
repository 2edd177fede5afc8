package payfeedback

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// testFiles lists the files of dir ending in ext, sorted, as name (without
// ext) → path.
func testFiles(t testing.TB, dir, ext string) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*"+ext))
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string]string, len(paths))
	for _, p := range paths {
		files[strings.TrimSuffix(filepath.Base(p), ext)] = p
	}
	return files
}

// sortedKeys returns the keys of m in order.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// readSample reads testdata/notifications/name.xml.
func readSample(t testing.TB, name string) []byte {
	t.Helper()
	body, err := os.ReadFile(filepath.Join("testdata", "notifications", name+".xml"))
	if err != nil {
		t.Fatal(err)
	}
	return body
}
