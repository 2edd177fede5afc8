package admin

import (
	"fmt"
	"net/http"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// The world's accounts, users, orders, media and inboxes.
func (h *Handler) worldRoutes(route routeFunc) {
	route("GET /_mock/accounts", h.accounts)
	route("POST /_mock/accounts", h.addAccount)
	route("PATCH /_mock/accounts/{appid}", h.patchAccount)
	route("GET /_mock/accounts/{appid}/reasons", h.choices(false, false))
	route("PUT /_mock/accounts/{appid}/reasons", h.choices(false, true))
	route("GET /_mock/accounts/{appid}/solutions", h.choices(true, false))
	route("PUT /_mock/accounts/{appid}/solutions", h.choices(true, true))
	route("POST /_mock/users", h.interact)
	route("GET /_mock/users/{openid}", h.user)
	route("GET /_mock/inbox/{openid}", h.inbox)
	route("POST /_mock/orders", h.addOrder)
	route("GET /_mock/orders/{transid}", h.order)
	route("POST /_mock/media", h.addMedia)
}

// accounts lists the accounts, secrets masked.
func (h *Handler) accounts(r *http.Request) (int, any, error) {
	out := []world.Account{}
	for _, a := range h.b.Accounts() {
		out = append(out, a.Masked())
	}
	return 200, out, nil
}

// account returns one account, secrets masked.
func (h *Handler) account(appID string) (world.Account, error) {
	for _, a := range h.b.Accounts() {
		if a.AppID == appID {
			return a.Masked(), nil
		}
	}
	return world.Account{}, fmt.Errorf("mockwechat: no account %s: %w", text.Clip(appID, 64), world.ErrNotFound)
}

func (h *Handler) addAccount(r *http.Request) (int, any, error) {
	var a world.Account
	if err := decodeBody(r, &a); err != nil {
		return 0, nil, err
	}
	if err := h.b.AddAccount(a); err != nil {
		return 0, nil, err
	}
	v, err := h.account(a.AppID)
	return http.StatusCreated, v, err
}

// patchAccount takes {"notify_url":"…","pay_permission":false,
// "message_permission":false,"reasons":[…],"solutions":[…]}, each
// optional.
func (h *Handler) patchAccount(r *http.Request) (int, any, error) {
	var p world.AccountPatch
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	a, err := h.b.PatchAccount(r.PathValue("appid"), p)
	if err != nil {
		return 0, nil, err
	}
	return 200, a.Masked(), nil
}

func (h *Handler) choices(solutions, set bool) func(r *http.Request) (int, any, error) {
	return func(r *http.Request) (int, any, error) {
		appID := r.PathValue("appid")
		if set {
			var items []string
			if err := decodeBody(r, &items); err != nil {
				return 0, nil, err
			}
			p := world.AccountPatch{Reasons: &items}
			if solutions {
				p = world.AccountPatch{Solutions: &items}
			}
			if _, err := h.b.PatchAccount(appID, p); err != nil {
				return 0, nil, err
			}
		}
		a, err := h.account(appID)
		if err != nil {
			return 0, nil, err
		}
		if solutions {
			return 200, a.Solutions, nil
		}
		return 200, a.Reasons, nil
	}
}

// interact takes {"appid","openid","kind","at"}: kind "" is a message,
// at "" now.
func (h *Handler) interact(r *http.Request) (int, any, error) {
	var in world.Interaction
	if err := decodeBody(r, &in); err != nil {
		return 0, nil, err
	}
	u, err := h.b.RecordInteraction(in)
	return 200, u, err
}

func (h *Handler) user(r *http.Request) (int, any, error) {
	appID, err := h.b.AppID(r.URL.Query().Get("appid"))
	if err != nil {
		return 0, nil, err
	}
	u, ok := h.b.User(appID, r.PathValue("openid"))
	if !ok {
		return 0, nil, fmt.Errorf("mockwechat: no user %s of %s: %w", text.Clip(r.PathValue("openid"), 64), appID, world.ErrNotFound)
	}
	return 200, u, nil
}

func (h *Handler) inbox(r *http.Request) (int, any, error) {
	if appID := r.URL.Query().Get("appid"); appID != "" {
		return 200, jsonList[world.Message](h.b.InboxOf(appID, r.PathValue("openid"))), nil
	}
	return 200, jsonList[world.Message](h.b.Inbox(r.PathValue("openid"))), nil
}

func (h *Handler) addOrder(r *http.Request) (int, any, error) {
	var o world.Order
	if err := decodeBody(r, &o); err != nil {
		return 0, nil, err
	}
	o, err := h.b.AddOrder(o)
	return http.StatusCreated, o, err
}

func (h *Handler) order(r *http.Request) (int, any, error) {
	o, ok := h.b.Order(r.PathValue("transid"))
	if !ok {
		return 0, nil, fmt.Errorf("mockwechat: no order %s: %w", text.Clip(r.PathValue("transid"), 64), world.ErrNotFound)
	}
	return 200, o, nil
}

func (h *Handler) addMedia(r *http.Request) (int, any, error) {
	var p struct {
		AppID string `json:"appid"`
		Type  string `json:"type"`
	}
	if err := decodeBody(r, &p); err != nil {
		return 0, nil, err
	}
	m, err := h.b.AddMedia(p.AppID, p.Type)
	return http.StatusCreated, m, err
}
