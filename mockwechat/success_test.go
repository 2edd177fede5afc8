package mockwechat

import (
	"net/url"
	"strconv"
	"testing"

	"github.com/payfeedback/payfeedback"
)

// TestSuccessAnswers: every endpoint that answers an errcode answers its
// success exactly as the live API does, errmsg "ok" included (clients of
// the era compared it).
func TestSuccessAnswers(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	demo := DemoAccount()
	c, err := s.FileComplaint(testCtx(t), ComplaintSpec{OpenID: "o1"})
	if err != nil {
		t.Fatal(err)
	}
	tok := getToken(t, s, demo)
	deliver := deliverBodyFor(t, demo.PaySignKey, map[string]string{"appid": demo.AppID, "openid": "o1", "transid": c.TransID,
		"out_trade_no": "M-1", "deliver_timestamp": strconv.FormatInt(t0.Unix(), 10), "deliver_status": "1", "deliver_msg": "ok"})
	q := url.Values{"access_token": {tok}}
	tests := []struct {
		name string
		got  apiAnswer
	}{
		{payfeedback.PathUpdateFeedback, do(t, s, "GET", payfeedback.PathUpdateFeedback, url.Values{"access_token": {tok}, "openid": {"o1"}, "feedbackid": {c.FeedBackID}}, "")},
		{payfeedback.PathSendMessage + " (fast path)", send(t, s, tok, textTo1)},
		{payfeedback.PathSendMessage + " (encoding/json)", send(t, s, tok, `{"touser":"o1","msgtype":"news","news":{"articles":[{}]}}`)},
		{payfeedback.PathDeliverNotify, do(t, s, "POST", payfeedback.PathDeliverNotify, q, deliver)},
	}
	for _, tt := range tests {
		if tt.got.status != 200 || tt.got.raw != `{"errcode":0,"errmsg":"ok"}` {
			t.Errorf("%s: HTTP %d %s, want 200 {\"errcode\":0,\"errmsg\":\"ok\"}", tt.name, tt.got.status, tt.got.raw)
		}
	}
}
