package push

import (
	"context"
	"io"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/middleware"
)

func TestTimestampRefused(t *testing.T) {
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	unix := func(t time.Time) string { return strconv.FormatInt(t.Unix(), 10) }
	const old, future = "TimeStamp too old: check the sender's clock or raise MaxAge\n", "TimeStamp in the future: check the clocks\n"
	for _, tt := range []struct {
		status int
		answer string
		ts     string
		want   []string // "": no hint
	}{
		{401, old, unix(now.Add(-640 * 24 * time.Hour)), []string{"refused the TimeStamp as too old", "virtual clock",
			"640 days behind real time", "Config.Now = fake.Now", "PushTimestampsWall", "--push-timestamps wall"}},
		{401, future, unix(now.Add(72 * time.Hour)), []string{"refused the TimeStamp as in the future", "3 days ahead of real time",
			"Config.Now = fake.Now"}},
		{401, old, unix(now.Add(-2 * time.Second)), []string{"as too old, though it is real time", "Config.MaxAge"}},
		{401, "AppSignature does not match\n", unix(now.Add(-time.Hour)), nil},
		{409, old, unix(now.Add(-time.Hour)), nil},
		{200, "success", unix(now.Add(-time.Hour)), nil},
		{401, old, "not a number", nil},
	} {
		got := timestampRefused(tt.status, tt.answer, tt.ts, now)
		if tt.want == nil {
			if got != "" {
				t.Errorf("%d %q: hint %q, want none", tt.status, tt.answer, got)
			}
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%d %q at %s: hint %q, want it to say %q", tt.status, tt.answer, tt.ts, got, w)
			}
		}
	}
}

// TestTimestampRefusedByTheMiddleware: the payfeedback middleware's
// answers to a stale and to a future TimeStamp are the ones
// timestampRefused recognises (it matches their text: no typed signal
// crosses HTTP), and a bad signature's is not.
func TestTimestampRefusedByTheMiddleware(t *testing.T) {
	const key = "k"
	merchant := httptest.NewServer(middleware.New(middleware.Config{Keys: middleware.StaticKeys{"wx1": key}})(
		middleware.Dispatcher{OnRequest: func(context.Context, *payfeedback.Notification) error { return nil }}))
	defer merchant.Close()
	now := time.Now()
	for _, tt := range []struct {
		ts   time.Time
		key  string
		want string
	}{
		{now.Add(-48 * time.Hour), key, "as too old"},
		{now.Add(48 * time.Hour), key, "as in the future"},
		{now, "wrong key", ""},
	} {
		n := payfeedback.Notification{AppID: "wx1", OpenID: "o1", MsgType: payfeedback.MsgRequest, FeedBackID: "1", TransID: "2",
			TimeStamp: strconv.FormatInt(tt.ts.Unix(), 10)}
		if err := n.Sign(tt.key); err != nil {
			t.Fatal(err)
		}
		body, err := n.Encode()
		if err != nil {
			t.Fatal(err)
		}
		resp, err := merchant.Client().Post(merchant.URL, "text/xml", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		answer, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got := timestampRefused(resp.StatusCode, string(answer), n.TimeStamp, time.Now())
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("the middleware answered %d %q: hint %q, want %q", resp.StatusCode, answer, got, tt.want)
		}
	}
}
