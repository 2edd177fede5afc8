package chromium

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"

	"github.com/chromedp/chromedp"
)

// ErrNotFound says no Chromium was found.
var ErrNotFound = errors.New("chromium: no browser found: install Debian's chromium (apt-get install chromium) or set $CHROMIUM to its path")

// Find returns the path of Chromium: $CHROMIUM, or chromium,
// chromium-browser or google-chrome on $PATH.
func Find() (string, error) {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", ErrNotFound
}

// Options say which browser to start, and how big its window is.
type Options struct {
	// Path is the browser's executable (Find).
	Path string
	// UserDataDir is a fresh, empty profile directory.
	UserDataDir string
	// Width and Height are the window's size in CSS pixels (0: 1280×800).
	Width, Height int
}

// Start starts a headless browser and returns a chromedp context for its
// first tab; cancel closes the browser. The flags keep it from reaching
// for the network (updates, sync, QUIC), which a closed machine refuses.
func Start(ctx context.Context, o Options) (context.Context, context.CancelFunc) {
	if o.Width == 0 {
		o.Width, o.Height = 1280, 800
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(o.Path),
		chromedp.UserDataDir(o.UserDataDir),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("headless", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.WindowSize(o.Width, o.Height),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	bctx, cancelBrowser := chromedp.NewContext(actx)
	return bctx, func() {
		cancelBrowser()
		cancelAlloc()
	}
}

// LaunchTries is how many starts Launch tries.
const LaunchTries = 3

// Launch starts the browser as Start does and waits until it answers. A
// start that fails is tried again, LaunchTries times in all, each on an
// emptied o.UserDataDir: Chromium now and then exits as it starts on a
// loaded machine (about one start in 20 beside two busy cores here, with
// nothing in its output but crashpad's complaints), which is not what a
// test or a screenshot is about. The error, when every try failed, is the
// last one's, with the browser's output.
func Launch(ctx context.Context, o Options) (context.Context, context.CancelFunc, error) {
	var err error
	for try := 1; try <= LaunchTries; try++ {
		bctx, cancel := Start(ctx, o)
		if err = chromedp.Do(bctx); err == nil {
			return bctx, cancel, nil
		}
		cancel()
		if ctx.Err() != nil {
			break
		}
		if rerr := os.RemoveAll(o.UserDataDir); rerr != nil {
			return nil, nil, rerr
		}
		if merr := os.MkdirAll(o.UserDataDir, 0o700); merr != nil {
			return nil, nil, merr
		}
	}
	return nil, nil, fmt.Errorf("chromium: %s did not start (%d tries): %w", o.Path, LaunchTries, err)
}
