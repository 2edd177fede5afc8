package api

import (
	"strconv"
	"strings"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
)

// token serves GET /cgi-bin/token. Checks, in order: grant_type 40002,
// appid missing 41002, unknown 40013, secret missing 41004, wrong 40125,
// the daily quota 45009.
func (h *Handler) token(c *call) response {
	if gt := c.param("grant_type"); gt != "client_credential" {
		return fail(payfeedback.CodeInvalidGrantType, "grant_type must be client_credential")
	}
	t, err := h.o.World.TokenCall(c.param("appid"), c.param("secret"), h.o.World.NewValue(), c.now)
	if err != nil {
		c.appID = strings.Clone(c.param("appid")) // a copy: the log must not hold the request line
		return answer(err)
	}
	c.appID = t.AppID
	body := tokenAnswer(t.Value, int64(t.Expires.Sub(c.now).Seconds()))
	// The log keeps the answer with the token masked, in one copy.
	prefix := len(`{"access_token":"`)
	masked := calllog.MaskValue("access_token", t.Value)
	c.logged = append(append(append(make([]byte, 0, len(body)), body[:prefix]...), masked...), body[prefix+len(t.Value):]...)
	return response{body: body}
}

// tokenAnswer is the token API's success answer.
func tokenAnswer(token string, ttl int64) []byte {
	b := make([]byte, 0, 128)
	b = append(b, `{"access_token":"`...)
	b = append(b, token...)
	b = append(b, `","expires_in":`...)
	b = strconv.AppendInt(b, ttl, 10)
	return append(b, '}')
}
