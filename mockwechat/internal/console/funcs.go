package console

import (
	"encoding/json"
	"fmt"
	"html/template"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat/internal/fault"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// funcs are the templates' helpers.
var funcs = template.FuncMap{
	"when":         when,
	"countdown":    countdown,
	"ms":           ms,
	"short":        short,
	"stateNote":    stateNote,
	"arbLabel":     func(a *world.Arbitration) string { return a.State.String() },
	"pretty":       pretty,
	"errmsg":       errmsg,
	"human":        human,
	"shipping":     shipping,
	"dict":         dict,
	"initial":      initial,
	"join":         strings.Join,
	"list1":        func(a world.Account) []world.Account { return []world.Account{a} },
	"add":          func(a, b int) int { return a + b },
	"maxChoices":   func() int { return world.MaxChoices },
	"yuan":         yuan,
	"payStateNote": payStateNote,
	"jsonOf":       jsonOf,
	"skew":         skew,
	"slots": func(items []string) []string {
		out := make([]string, world.MaxChoices)
		copy(out, items)
		return out
	},
}

// when formats an instant of the fake's clock.
func when(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// countdown says how far t is from now: "in 2d 4h", "3h 10m ago".
func countdown(t, now time.Time) string {
	d := t.Sub(now)
	if d >= 0 {
		return "in " + human(d)
	}
	return human(-d) + " ago"
}

// human renders a duration to two units: "2d 4h", "3h 10m", "45s".
func human(d time.Duration) string {
	d = d.Round(time.Second)
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h := d / time.Hour
	d -= h * time.Hour
	m := d / time.Minute
	s := (d - m*time.Minute) / time.Second
	switch {
	case days > 0:
		return fmt.Sprintf("%dd %dh", days, h)
	case h > 0:
		return fmt.Sprintf("%dh %dm", h, m)
	case m > 0:
		return fmt.Sprintf("%dm %ds", m, s)
	}
	return fmt.Sprintf("%ds", s)
}

// ms renders a latency.
func ms(d time.Duration) string {
	if d < time.Millisecond {
		return fmt.Sprintf("%d µs", d.Microseconds())
	}
	return fmt.Sprintf("%d ms", d.Milliseconds())
}

// short shows the end of a long id, which is what tells ids apart.
func short(id string) string {
	if len(id) <= 10 {
		return id
	}
	return "…" + id[len(id)-8:]
}

// initial is the first character of a name, for an avatar.
func initial(s string) string {
	for _, r := range s {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// stateNote says what a complaint waits for.
func stateNote(c world.Complaint) string {
	if a := c.Arbitration; a != nil {
		return "arbitration: " + a.State.String()
	}
	switch c.State {
	case world.StateFiled:
		return "waits for the merchant to handle it"
	case world.StateHandled:
		return "handled: waits for the user to confirm or reject"
	case world.StateRejected:
		return "rejected by the user: waits for the merchant again"
	case world.StateConfirmed:
		return "closed: the user confirmed it resolved"
	}
	return string(c.State)
}

// pretty indents JSON for reading; anything else stays as it is.
func pretty(s string) string {
	var v any
	if json.Unmarshal([]byte(s), &v) != nil {
		return s
	}
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return s
	}
	return string(b)
}

// dict builds a map for a sub-template: dict "k1" v1 "k2" v2.
func dict(kv ...any) map[string]any {
	m := make(map[string]any, len(kv)/2)
	for i := 0; i+1 < len(kv); i += 2 {
		m[fmt.Sprint(kv[i])] = kv[i+1]
	}
	return m
}

// describeFault says in words what a fault does.
func describeFault(f fault.Fault) faultView {
	v := faultView{ID: f.ID, Count: f.Count}
	switch {
	case f.Endpoint == fault.EndpointPush:
		v.Target = "pushes"
		if f.MsgType != "" {
			v.Target = string(f.MsgType) + " pushes"
		}
	case f.Endpoint == "":
		v.Target = "every API endpoint"
	default:
		v.Target = f.Endpoint
	}
	if f.AppID != "" {
		v.Target += " of " + f.AppID
	}
	var e []string
	if f.ErrCode != 0 {
		e = append(e, fmt.Sprintf("answer errcode %d", int(f.ErrCode)))
	}
	if f.HTTPStatus != 0 {
		e = append(e, fmt.Sprintf("answer HTTP %d", f.HTTPStatus))
	}
	if f.Delay != 0 {
		e = append(e, "delay "+f.Delay.String())
	}
	for _, b := range []struct {
		on   bool
		name string
	}{{f.Drop, "drop"}, {f.Duplicate, "send twice"}, {f.OutOfOrder, "out of order"},
		{f.TamperSignature, "tamper the signature"}, {f.TamperFields, "send a forged copy"}} {
		if b.on {
			e = append(e, b.name)
		}
	}
	v.Effect = strings.Join(e, ", ")
	return v
}

// errmsg is the errmsg of an API answer, or the answer itself.
func errmsg(answer []byte) string {
	var a struct {
		ErrMsg string `json:"errmsg"`
	}
	if json.Unmarshal(answer, &a) == nil && a.ErrMsg != "" {
		return a.ErrMsg
	}
	return string(answer)
}

// shipping shortens the world's shipping states for a table.
func shipping(s string) string {
	switch {
	case strings.HasPrefix(s, "not shipped, within"):
		return "not shipped"
	case strings.HasPrefix(s, "not shipped"):
		return "not shipped, late"
	}
	return s
}

// jsonOf writes v as JSON, for pretty; "" when it cannot.
func jsonOf(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// skew says how a signature's timestamp stands against the fake's clock
// when the request came (WeChat allows 5 minutes either way).
func skew(d time.Duration) string {
	switch {
	case d > -time.Second && d < time.Second:
		return "the same second as the fake's clock"
	case d > 0:
		return human(d) + " behind the fake's clock"
	}
	return human(-d) + " ahead of the fake's clock"
}
