package conformance

import (
	"context"
	"strings"

	"github.com/payfeedback/payfeedback"
)

// The field-rule cases check WeChat's field table element by element:
// each optional element may be missing, each required one must be there,
// and MsgType is one of three. See docs/protocol.md for the table.

// optionalElements are the elements a notification may lack, with what
// the case says about each.
var optionalElements = []struct{ name, why string }{
	{"TransId", "optional in WeChat's field table: a complaint filed without an order has none"},
	{"Reason", "optional: the user may give no reason"},
	{"Solution", "optional: the user may ask for no solution"},
	{"ExtInfo", "optional: the user may leave no note"},
	{"PicInfo", "optional: the user may attach no picture"},
	{"SignMethod", "absent from WeChat's field table, so a notification without it is the document's own shape: it means sha1"},
}

// requiredElements are the elements a notification must carry. Those the
// AppSignature covers are signed over an empty value, so that only the
// rule "required" refuses the notification. AppSignature itself is
// security/signature/missing.
var requiredElements = []struct{ name, why string }{
	{"AppId", "the account cannot be told"},
	{"TimeStamp", "its freshness cannot be judged"},
	{"OpenId", "the complaint names no user"},
	{"MsgType", "it is neither a complaint nor a user's answer"},
	{"FeedBackId", "the complaint cannot be told; inventing an id would mark another complaint handled"},
}

func optionalCases() []Case {
	var cases []Case
	for _, el := range optionalElements {
		name := el.name
		cases = append(cases, Case{
			ID:          "notify/optional/" + strings.ToLower(name),
			Requirement: "A valid request notification without " + name + " (" + el.why + ") is accepted.",
			Fix:         fixOptional(name),
			run: func(ctx context.Context, e *env) Result {
				return e.acceptForm(ctx, variant(e.forge.full(), without(name)))
			},
		})
	}
	return cases
}

func requiredCases() []Case {
	var cases []Case
	for _, el := range requiredElements {
		name := el.name
		cases = append(cases, Case{
			refusal:     true,
			ID:          "security/required/" + strings.ToLower(name),
			Requirement: "A notification without " + name + " is refused: " + el.why + ".",
			Fix:         fixRequired(name),
			run: func(ctx context.Context, e *env) Result {
				n := e.forge.next(payfeedback.MsgRequest)
				switch name {
				case "AppId":
					n.AppID = ""
				case "TimeStamp":
					n.TimeStamp = ""
				case "OpenId":
					n.OpenID = ""
				}
				e.forge.sign(n, e.s.PaySignKey)
				return mustRefuse(e.post(ctx, variant(n, without(name))), "a notification without "+name)
			},
		})
	}
	cases = append(cases, Case{
		refusal:     true,
		ID:          "security/msgtype/unknown",
		Requirement: "A validly signed notification whose MsgType is none of request, confirm and reject (here \"refund\") is refused, not handled as a request.",
		Fix:         fixMsgType,
		run: func(ctx context.Context, e *env) Result {
			n := e.forge.next(payfeedback.MsgRequest)
			n.MsgType = "refund"
			return mustRefuse(e.post(ctx, encode(n)), "a notification of MsgType \"refund\"")
		},
	})
	return cases
}
