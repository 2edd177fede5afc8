package payfeedback_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/payfeedback/payfeedback"
)

// TestRedirectOffBaseURLRefused: an answer redirecting a call to another
// host (another port of the same machine here: two httptest servers) is
// refused, so UpdateFeedback cannot "succeed" against a host that is not
// WeChat, and the access_token never reaches it. A redirect within BaseURL
// is followed. Before the fix, the client followed both.
func TestRedirectOffBaseURLRefused(t *testing.T) {
	var elsewhere atomic.Int64
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		elsewhere.Add(1)
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	t.Cleanup(other.Close)

	var api *stub
	api = newStub(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case payfeedback.PathUpdateFeedback: // off BaseURL, the query (and token) along
			http.Redirect(w, r, other.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusFound)
		case payfeedback.PathSendMessage: // within BaseURL
			http.Redirect(w, r, api.URL+"/moved"+r.URL.Path+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
		case "/moved" + payfeedback.PathSendMessage:
			fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
		default:
			http.NotFound(w, r)
		}
	})

	ctx := context.Background()
	userClient := &http.Client{}
	c := api.client(t, payfeedback.ClientOptions{HTTPClient: userClient})
	err := c.UpdateFeedback(ctx, "o", "1")
	if !errors.Is(err, payfeedback.ErrRedirectRefused) {
		t.Fatalf("UpdateFeedback = %v, want ErrRedirectRefused", err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Fatalf("the other host received %d requests", n)
	}
	for _, want := range []string{"UpdateFeedback", "redirect to " + other.URL, "BaseURL (" + api.URL + ")"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if strings.Contains(err.Error(), stubToken) {
		t.Errorf("error leaks the token: %v", err)
	}
	if userClient.CheckRedirect != nil {
		t.Error("NewClient changed the caller's http.Client")
	}

	if err := c.SendMessage(ctx, "o", payfeedback.TextMessage{Content: "x"}); err != nil {
		t.Fatalf("redirect within BaseURL: %v", err)
	}
}

// TestRedirectCheckOfTheCallersClient: the caller's own CheckRedirect still
// decides the redirects within BaseURL.
func TestRedirectCheckOfTheCallersClient(t *testing.T) {
	var api *stub
	api = newStub(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == payfeedback.PathUpdateFeedback {
			http.Redirect(w, r, api.URL+"/again"+r.URL.Path+"?"+r.URL.RawQuery, http.StatusFound)
			return
		}
		fmt.Fprint(w, `{"errcode":0,"errmsg":"ok"}`)
	})
	mine := errors.New("my policy: no redirects")
	c := api.client(t, payfeedback.ClientOptions{HTTPClient: &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return mine },
	}})
	if err := c.UpdateFeedback(context.Background(), "o", "1"); !errors.Is(err, mine) {
		t.Fatalf("UpdateFeedback = %v, want the caller's CheckRedirect error", err)
	}
}

// TestOriginComparison: default ports count as given, letter case does
// not count, another scheme or port is another origin.
func TestOriginComparison(t *testing.T) {
	tests := []struct {
		base, to string
		followed bool
	}{
		{"https://api.weixin.qq.com", "https://API.weixin.qq.com:443/x", true},
		{"https://api.weixin.qq.com/prefix", "https://api.weixin.qq.com/elsewhere", true},
		{"https://api.weixin.qq.com", "http://api.weixin.qq.com/x", false},
		{"https://api.weixin.qq.com", "https://api.weixin.qq.com:8443/x", false},
		{"https://api.weixin.qq.com", "https://api.weixin.qq.com.evil.example/x", false},
		{"http://127.0.0.1:8080", "http://localhost:8080/x", false},
	}
	for _, tt := range tests {
		t.Run(tt.base+" → "+tt.to, func(t *testing.T) {
			followed := false
			rt := roundTripFunc(func(r *http.Request) (*http.Response, error) {
				if r.URL.Path == "/x" || r.URL.Path == "/elsewhere" {
					followed = true
					return jsonResponse(`{"errcode":0,"errmsg":"ok"}`), nil
				}
				if strings.HasSuffix(r.URL.Path, payfeedback.PathToken) {
					return jsonResponse(`{"access_token":"t","expires_in":7200}`), nil
				}
				resp := jsonResponse("")
				resp.StatusCode = http.StatusFound
				resp.Header.Set("Location", tt.to)
				return resp, nil
			})
			c, err := payfeedback.NewClient(payfeedback.ClientOptions{AppID: stubAppID, Secret: stubSecret, BaseURL: tt.base,
				HTTPClient: &http.Client{Transport: rt}})
			if err != nil {
				t.Fatal(err)
			}
			err = c.UpdateFeedback(context.Background(), "o", "1")
			if followed != tt.followed || (err == nil) != tt.followed {
				t.Fatalf("followed %v (err %v), want followed %v", followed, err, tt.followed)
			}
			if !tt.followed && !errors.Is(err, payfeedback.ErrRedirectRefused) {
				t.Fatalf("err %v, want ErrRedirectRefused", err)
			}
		})
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func jsonResponse(body string) *http.Response {
	return &http.Response{StatusCode: http.StatusOK, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body))}
}
