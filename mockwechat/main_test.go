package mockwechat

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/payfeedback/payfeedback/internal/chromium"
	"github.com/payfeedback/payfeedback/internal/testparallel"
)

// parallelTests is how many parallel tests run at once when -test.parallel
// is not given: the console's three browser flows, which wait on the
// browser far more than they compute, and the real timeouts of
// TestServerTimeouts. At go test's default of one per core they ran two
// at a time on a 2-core machine, the third flow after the first.
const parallelTests = 4

// TestMain runs parallelTests parallel tests at a time unless
// -test.parallel says otherwise, and closes what the tests share (the
// console's browser tests' Chromium, the Complaints 2.0 identity) once
// every test has run.
func TestMain(m *testing.M) {
	testparallel.Default(parallelTests)
	code := m.Run()
	testChromium.close()
	testPayIdentity.Close()
	os.Exit(code)
}

// testChromium is the one headless Chromium of this test binary: a start
// costs seconds of CPU (the browser's processes, its profile), a tab
// almost nothing.
var testChromium sharedChromium

// sharedChromium starts Chromium at the first get and keeps it until
// close.
type sharedChromium struct {
	once   sync.Once
	ctx    context.Context // the browser's first tab: NewContext(ctx) opens another
	cancel context.CancelFunc
	dir    string // its profile
	err    error
}

// get returns the browser, started with a window of width×height at the
// first call (later calls get the same browser, whatever size they ask);
// chromium.ErrNotFound when there is none.
func (c *sharedChromium) get(width, height int) (context.Context, error) {
	c.once.Do(func() {
		path, err := chromium.Find()
		if err != nil {
			c.err = err
			return
		}
		if c.dir, err = os.MkdirTemp("", "mockwechat-chromium-"); err != nil {
			c.err = err
			return
		}
		c.ctx, c.cancel, c.err = chromium.Launch(context.Background(), chromium.Options{Path: path, UserDataDir: c.dir, Width: width, Height: height})
	})
	return c.ctx, c.err
}

// close stops the browser, if it was started, and removes its profile.
func (c *sharedChromium) close() {
	if c.cancel != nil {
		c.cancel()
	}
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
}
