package console

import (
	"context"
	"net/http/httptest"
	"os"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/payfeedback/payfeedback/internal/chromium"
)

func TestZZShots(t *testing.T) {
	s, c1, c2, c3 := payScene(t)
	srv := httptest.NewServer(New(Options{Backend: s, Pay: s}))
	defer srv.Close()
	path, err := chromium.Find()
	if err != nil {
		t.Skip(err)
	}
	ctx, cancel := chromium.Start(context.Background(), chromium.Options{Path: path, UserDataDir: t.TempDir(), Width: 1280, Height: 900})
	defer cancel()
	for name, p := range map[string]string{"overview": "/", "list": "/pay-complaints", "c1": "/pay-complaints/" + c1, "c2": "/pay-complaints/" + c2, "c3": "/pay-complaints/" + c3, "keys": "/pay-keys", "sigs": "/pay-signatures"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+p)); err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile("/tmp/payshots/"+name+".png", png, 0o644)
	}
}
