package chromium

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// browserPath returns the browser, or skips outside CI when there is none.
func browserPath(t *testing.T) string {
	t.Helper()
	path, err := Find()
	if errors.Is(err, ErrNotFound) {
		if os.Getenv("CI") != "" {
			t.Fatalf("the browser tests must run in CI: %v", err)
		}
		t.Skipf("%v (CI installs it)", err)
	}
	return path
}

// TestLaunchTriesAgain: a browser that exits as it starts, twice, is
// started a third time on an emptied profile, and that one answers.
func TestLaunchTriesAgain(t *testing.T) {
	real := browserPath(t)
	dir := t.TempDir()
	count := filepath.Join(dir, "starts")
	wrapper := filepath.Join(dir, "flaky-chromium")
	script := "#!/bin/sh\necho start >> " + count + "\n" +
		"if [ $(wc -l < " + count + ") -lt 3 ]; then echo 'crashed as it started' >&2; exit 1; fi\n" +
		"exec " + real + " \"$@\"\n"
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	profile := filepath.Join(dir, "profile")
	if err := os.Mkdir(profile, 0o700); err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(profile, "left-by-a-crash")
	if err := os.WriteFile(left, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel, err := Launch(context.Background(), Options{Path: wrapper, UserDataDir: profile})
	if err != nil {
		t.Fatalf("Launch: %v", err)
	}
	defer cancel()
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string]("'a' + 'b'"))
	if err != nil || title != "ab" {
		t.Fatalf("the third browser: %q, %v", title, err)
	}
	b, _ := os.ReadFile(count)
	if n := strings.Count(string(b), "start"); n != 3 {
		t.Errorf("%d starts, want 3", n)
	}
	if _, err := os.Stat(left); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("the profile was not emptied before a new try: %v", err)
	}
}

// TestLaunchGivesUp: a browser that never starts is tried LaunchTries
// times, and the error says so with its output.
func TestLaunchGivesUp(t *testing.T) {
	dir := t.TempDir()
	count := filepath.Join(dir, "starts")
	broken := filepath.Join(dir, "broken-chromium")
	script := "#!/bin/sh\necho start >> " + count + "\necho 'no display, no luck' >&2\nexit 1\n"
	if err := os.WriteFile(broken, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	_, _, err := Launch(context.Background(), Options{Path: broken, UserDataDir: filepath.Join(dir, "profile")})
	if err == nil {
		t.Fatal("Launch of a browser that never starts succeeded")
	}
	for _, want := range []string{broken, "3 tries", "no display, no luck"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	b, _ := os.ReadFile(count)
	if n := strings.Count(string(b), "start"); n != LaunchTries {
		t.Errorf("%d starts, want %d", n, LaunchTries)
	}
}
