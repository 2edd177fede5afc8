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
	body, logged := tokenAnswer(t.Value, int64(t.Expires.Sub(c.now).Seconds()))
	c.logged = logged
	return response{body: body}
}

// tokenAnswer returns the token API's success answer and what the call log
// keeps of it, the token masked, both in one allocation: the log copies
// its text and the answer is written before the call ends.
func tokenAnswer(token string, ttl int64) (answer, logged []byte) {
	const open = `{"access_token":"`
	b := make([]byte, 0, 256)
	b = append(b, open...)
	b = append(b, token...)
	rest := len(b)
	b = append(b, `","expires_in":`...)
	b = strconv.AppendInt(b, ttl, 10)
	b = append(b, '}')
	end := len(b)
	b = append(b, open...)
	b = calllog.AppendMaskedValue(b, "access_token", token)
	b = append(b, b[rest:end]...)
	return b[:end:end], b[end:]
}
