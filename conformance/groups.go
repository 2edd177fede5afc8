package conformance

import (
	"net/http"
	"strings"
)

// Group is a set of cases that failed, or were left inconclusive, for one
// reason: a merchant configured with another key refuses every valid
// notification the same way, and the report says so once, with the likely
// cause, instead of once per case.
type Group struct {
	// Symptom is what the cases share, e.g. "valid notifications were
	// answered HTTP 401: AppSignature does not match".
	Symptom string `json:"symptom"`
	// Cause is the likely cause, as a question to check ("" when the
	// suite has no guess).
	Cause string `json:"cause,omitempty"`
	// Failed and Inconclusive are the ids of the group's cases, in run
	// order.
	Failed       []string `json:"failed,omitempty"`
	Inconclusive []string `json:"inconclusive,omitempty"`
	// Control reports that the control is one of them.
	Control bool `json:"control,omitempty"`
	// Exchange is one exchange that shows the symptom (the control's when
	// it is in the group).
	Exchange *Exchange `json:"exchange,omitempty"`
}

// Size is the number of results in g, the control included.
func (g Group) Size() int {
	n := len(g.Failed) + len(g.Inconclusive)
	if g.Control {
		n++
	}
	return n
}

// Groups returns the groups of two results or more (the control counts)
// that share a Symptom, largest first; a failure of its own is not in a
// group.
func (r Report) Groups() []Group {
	var order []string
	groups := map[string]*Group{}
	add := func(res Result) *Group {
		if res.Symptom == "" || !res.Failed() {
			return nil
		}
		g := groups[res.Symptom]
		if g == nil {
			g = &Group{Symptom: res.Symptom}
			groups[res.Symptom] = g
			order = append(order, res.Symptom)
		}
		if g.Exchange == nil {
			if ex, ok := showing(res); ok {
				g.Exchange = &ex
			}
		}
		return g
	}
	if r.Control != nil {
		if g := add(*r.Control); g != nil {
			g.Control = true
		}
	}
	for _, res := range r.Results {
		g := add(res)
		switch {
		case g == nil:
		case res.Status == Inconclusive:
			g.Inconclusive = append(g.Inconclusive, res.ID)
		default:
			g.Failed = append(g.Failed, res.ID)
		}
	}
	var out []Group
	for _, s := range order {
		g := groups[s]
		if g.Size() < 2 {
			continue
		}
		g.Cause = causeOf(r.Config.Plan, g.Exchange, r.Target == handlerDescription)
		out = append(out, *g)
	}
	// Largest first, keeping run order between equals.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Size() > out[j-1].Size(); j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// grouped returns the ids (and "control") that belong to a group.
func (r Report) grouped() map[string]bool {
	in := map[string]bool{}
	for _, g := range r.Groups() {
		for _, id := range append(append([]string(nil), g.Failed...), g.Inconclusive...) {
			in[id] = true
		}
		if g.Control {
			in[ControlID] = true
		}
	}
	return in
}

// showing returns the exchange of res that shows its symptom.
func showing(res Result) (Exchange, bool) {
	for _, ex := range res.Exchanges {
		if refusalSymptom(ex) == res.Symptom || paySymptom(ex) == res.Symptom {
			return ex, true
		}
	}
	return Exchange{}, false
}

// likelyCause guesses, from one exchange of a group of the V1.5 plan,
// what to check first.
func likelyCause(ex *Exchange, inProcess bool) string {
	if cause, ok := transportCause(ex, inProcess, wordsOf(PlanV15)); ok {
		return cause
	}
	body := strings.ToLower(ex.Response.Body)
	switch status := ex.Response.Status; {
	case strings.Contains(body, "appid"):
		return "is --appid (Options.AppID) the merchant's account?"
	case strings.Contains(body, "signature"), status == http.StatusUnauthorized && !strings.Contains(body, "time"):
		return "is --paysignkey (Options.PaySignKey) the merchant's key?"
	case strings.Contains(body, "time"):
		return "are the clocks right? The suite stamps its notifications with its own clock"
	case status == http.StatusForbidden:
		return "is --appid the merchant's account, and --paysignkey its key?"
	case status == http.StatusRequestEntityTooLarge:
		return "is the merchant's body limit smaller than a notification (a few KiB)?"
	case status >= 500:
		return "does the merchant fail while handling a notification? If it calls the WeChat API then, run with --api (Options.API): the suite then files its complaints in the fake it calls"
	case status == http.StatusBadRequest:
		return "does the merchant require an element WeChat may leave out, or parse more strictly than WeChat writes?"
	}
	return ""
}

// causeWords are the words a plan's likely causes differ by where the
// cause is the same: what WeChat sends, what the merchant may be waiting
// on, and what --url must be.
type causeWords struct {
	message string // what WeChat sends: "notification", "callback"
	api     string // the API a stuck merchant may be waiting on
	url     string // what --url must be, path included
}

// wordsOf returns the words of plan's likely causes.
func wordsOf(plan Plan) causeWords {
	if plan == PlanComplaints {
		return causeWords{message: "callback", api: "WeChat's API", url: "the callback URL the merchant registers with WeChat"}
	}
	return causeWords{message: "notification", api: "the WeChat API", url: "the merchant's payfeedback_url"}
}

// transportCause is the likely cause both plans share: no answer at all,
// or an answer about the URL rather than the message (not found, not
// POST, a redirect). ok is false when ex shows neither; a nil ex, or no
// answer for another reason, is ("", true): no guess.
func transportCause(ex *Exchange, inProcess bool, w causeWords) (cause string, ok bool) {
	if ex == nil {
		return "", true
	}
	if ex.Response == nil {
		switch ex.Fault {
		case FaultRefused:
			return "did the merchant stop, or is --url's port its port?", true
		case FaultTimeout:
			return "is the merchant stuck, or waiting on a call it cannot make (" + w.api + ", a database)?", true
		case FaultClosed:
			return "does the merchant crash or panic on a " + w.message + "? Look at its log.", true
		}
		return "", true
	}
	switch status := ex.Response.Status; {
	case status == http.StatusNotFound:
		if inProcess {
			return "is the path right? (in-process, Options.Path defaults to " + DefaultPath + ")", true
		}
		return "is the path right? --url must be " + w.url + ", path included", true
	case status == http.StatusMethodNotAllowed:
		return "does this path take POST? (is the path right?)", true
	case status >= 300 && status < 400:
		return "the endpoint redirects: give the URL it redirects to (WeChat does not follow redirects)", true
	}
	return "", false
}

// LikelyCause returns the likely cause of res's symptom at r's target, as
// Groups words it ("" when there is no guess): a caller that prints the
// control's result as it comes can print its cause at once.
func (r Report) LikelyCause(res Result) string {
	if res.Symptom == "" {
		return ""
	}
	ex, ok := showing(res)
	if !ok {
		return ""
	}
	return causeOf(r.Config.Plan, &ex, r.Target == handlerDescription)
}

// causeOf is the likely cause of the symptom ex shows, in the words of
// plan's options.
func causeOf(plan Plan, ex *Exchange, inProcess bool) string {
	if plan == PlanComplaints {
		return payLikelyCause(ex, inProcess)
	}
	return likelyCause(ex, inProcess)
}
