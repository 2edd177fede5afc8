package complaints

import (
	"net/url"
	"strings"
	"testing"
)

func TestPaths(t *testing.T) {
	const id = "200201820200101080076610000"
	for got, want := range map[string]string{
		PathComplaint(id):                                 "/v3/merchant-service/complaints-v2/200201820200101080076610000",
		PathNegotiationHistory(id):                        "/v3/merchant-service/complaints-v2/200201820200101080076610000/negotiation-historys",
		PathResponse(id):                                  "/v3/merchant-service/complaints-v2/200201820200101080076610000/response",
		PathComplete(id):                                  "/v3/merchant-service/complaints-v2/200201820200101080076610000/complete",
		PathUpdateRefundProgress(id):                      "/v3/merchant-service/complaints-v2/200201820200101080076610000/update-refund-progress",
		PathResponseImmediateService(id):                  "/v3/merchant-service/complaints-v2/200201820200101080076610000/response-immediate-service",
		PathImage("BB04A5DEEFEA18D4F2554C1EDD3B610B.png"): "/v3/merchant-service/images/BB04A5DEEFEA18D4F2554C1EDD3B610B.png",
		// Base64 ids: = and + stay, / is escaped (it would be a path separator).
		PathImage("ChsyMDAw+Ab/9CgBigBMAE4AQ=="): "/v3/merchant-service/images/ChsyMDAw+Ab%2F9CgBigBMAE4AQ==",
		PathComplaint("a b?c#d"):                 "/v3/merchant-service/complaints-v2/a%20b%3Fc%23d",
		PathComplaints:                           "/v3/merchant-service/complaints-v2",
		PathNotifications:                        "/v3/merchant-service/complaint-notifications",
		PathImageUpload:                          "/v3/merchant-service/images/upload",
	} {
		if got != want {
			t.Errorf("got %s, want %s", got, want)
		}
	}
}

// TestWithQuery: no lone "?" when the query is empty.
func TestWithQuery(t *testing.T) {
	if got := WithQuery("/x", url.Values{}); got != "/x" {
		t.Errorf("empty query: %q", got)
	}
	if got := WithQuery("/x", nil); got != "/x" {
		t.Errorf("nil query: %q", got)
	}
	if got := WithQuery("/x", url.Values{"limit": {"5"}, "begin_date": {"2025-05-01"}}); got != "/x?begin_date=2025-05-01&limit=5" {
		t.Errorf("query: %q", got)
	}
}

func TestMediaIDFromURL(t *testing.T) {
	for u, want := range map[string]string{
		"https://api.mch.weixin.qq.com/v3/merchant-service/images/ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ%3D%3D": "ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ==",
		"https://api.mch.weixin.qq.com/v3/merchant-service/images/ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ==":     "ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ==",
		"https://api.mch.weixin.qq.com/v3/merchant-service/images/YBSCd/9CgBigBMAE4AQ%3D%3D":                                        "YBSCd/9CgBigBMAE4AQ==",
		"https://api.mch.weixin.qq.com/v3/merchant-service/images/ACD%2B9I6I":                                                       "ACD+9I6I",
		"http://127.0.0.1:8080/v3/merchant-service/images/file752398_7983424":                                                       "file752398_7983424",
	} {
		got, err := MediaIDFromURL(u)
		if err != nil || got != want {
			t.Errorf("MediaIDFromURL(%s) = %q, %v; want %q", u, got, err, want)
			continue
		}
		// The id goes back into a path that names the same image.
		back, err := url.Parse("https://h" + PathImage(got))
		if err != nil || !strings.HasSuffix(back.Path, "/"+want) {
			t.Errorf("PathImage(%q) = %s, which decodes to %v", got, PathImage(got), back)
		}
	}
	for _, u := range []string{
		"", "::", "https://api.mch.weixin.qq.com/v3/merchant-service/images/",
		"https://api.mch.weixin.qq.com/v3/merchant-service/images/upload",
		"https://api.mch.weixin.qq.com/v3/merchant-service/complaints-v2/1",
		"https://qpic.cn/xxx", "https://h/v3/merchant-service/images/..", "https://h/v3/merchant-service/images/a%0Ab",
	} {
		if id, err := MediaIDFromURL(u); err == nil {
			t.Errorf("MediaIDFromURL(%q) = %q, want an error", u, id)
		}
	}
}
