package api

// update serves GET /payfeedback/update: world.Update has its checks.
func (h *Handler) update(c *call) response {
	appID, fx, err := h.o.World.Update(c.query.Get("access_token"), c.query.Get("openid"), c.query.Get("feedbackid"), c.now)
	return h.apply(c, appID, fx, err)
}
