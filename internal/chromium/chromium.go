package chromium

import (
	"context"
	"errors"
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
