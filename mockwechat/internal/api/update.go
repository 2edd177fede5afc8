package api

// update serves GET /payfeedback/update: world.Update has its checks.
func (h *Handler) update(c *call) response {
	appID, fx, err := h.o.World.Update(c.param("access_token"), c.param("openid"), c.param("feedbackid"), c.now)
	return h.apply(c, appID, fx, err)
}
