package console

import (
	"net/http"
	"strconv"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// callsShown is how many calls the tail shows when the page loads.
const callsShown = 100

// endpoints are the API paths the calls filter offers.
var endpoints = []string{payfeedback.PathToken, payfeedback.PathUpdateFeedback, payfeedback.PathSendMessage,
	payfeedback.PathDeliverNotify, payfeedback.PathUploadMedia}

type callsData struct {
	Endpoint, AppID, ErrCode string
	Endpoints                []string
	Accounts                 []world.Account
	Calls                    []calllog.Call
	Error                    string
}

func (h *Handler) calls(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	d := callsData{Endpoint: q.Get("endpoint"), AppID: q.Get("appid"), ErrCode: q.Get("errcode"), Endpoints: endpoints}
	for _, a := range h.b.Accounts() {
		d.Accounts = append(d.Accounts, a.Masked())
	}
	f := calllog.Filter{Endpoint: d.Endpoint, AppID: d.AppID}
	if d.ErrCode != "" {
		n, err := strconv.Atoi(d.ErrCode)
		if err != nil {
			d.Error = "errcode " + text.Clip(d.ErrCode, 16) + " is not a number: showing every errcode"
			d.ErrCode = ""
		} else {
			code := payfeedback.ErrorCode(n)
			f.ErrCode = &code
		}
	}
	d.Calls = h.b.LatestCalls(f, callsShown)
	for i, j := 0, len(d.Calls)-1; i < j; i, j = i+1, j-1 { // newest first
		d.Calls[i], d.Calls[j] = d.Calls[j], d.Calls[i]
	}
	h.render(w, r, http.StatusOK, "calls", &page{Title: "API calls", Events: "call", Data: d})
}

type platformData struct {
	Faults    []faultView
	Accounts  []world.Account
	Endpoints []string
	Pending   int
}

// faultView is a fault and what it does, in words.
type faultView struct {
	ID     uint64
	Target string
	Effect string
	Count  int
}

func (h *Handler) platform(w http.ResponseWriter, r *http.Request) {
	d := platformData{Endpoints: endpoints, Pending: h.b.PendingDeliveries()}
	for _, a := range h.b.Accounts() {
		d.Accounts = append(d.Accounts, a.Masked())
	}
	for _, f := range h.b.Faults() {
		d.Faults = append(d.Faults, describeFault(f))
	}
	h.render(w, r, http.StatusOK, "platform", &page{Title: "Platform", Events: "clock", Data: d})
}
