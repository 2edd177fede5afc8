package mockwechat

import "github.com/payfeedback/payfeedback"

// handleUpdate serves GET /payfeedback/update (PROTOCOL §6). Checks, in
// order: the token (41001, 40001, 42001), pay permission (48001), openid
// (40003 missing or unknown to the account), feedbackid (47001 missing or
// no such complaint of this account), openid against the complaint (40003),
// and the complaint's state (47001 when confirmed or in arbitration).
// A filed or rejected complaint becomes handled; updating a handled one
// again answers ok and changes nothing.
func (s *Server) handleUpdate(c *apiCall) response {
	appID, resp, ok := c.auth()
	if !ok {
		return resp
	}
	openID, fid := c.query.Get("openid"), c.query.Get("feedbackid")
	s.mu.Lock()
	defer s.mu.Unlock()
	acc := s.accounts[appID]
	if acc == nil {
		return fail(payfeedback.CodeInvalidCredential, "the token's account no longer exists")
	}
	if acc.NoPayPermission {
		return fail(payfeedback.CodeUnauthorized, "this account has no pay permission")
	}
	if openID == "" {
		return fail(payfeedback.CodeInvalidOpenID, "openid missing")
	}
	if _, ok := s.users[userKey{appID, openID}]; !ok {
		return fail(payfeedback.CodeInvalidOpenID, "no such user for this appid")
	}
	if fid == "" {
		return fail(payfeedback.CodeDataFormat, "feedbackid missing")
	}
	comp, ok := s.complaints[fid]
	if !ok || comp.AppID != appID {
		return fail(payfeedback.CodeDataFormat, "invalid feedbackid: no such complaint for this appid")
	}
	if comp.OpenID != openID {
		return fail(payfeedback.CodeInvalidOpenID, "openid does not match the complaint")
	}
	if comp.Arbitration != nil {
		return fail(payfeedback.CodeDataFormat, "feedback closed: in arbitration")
	}
	if comp.State == StateConfirmed {
		return fail(payfeedback.CodeDataFormat, "feedback closed: confirmed by the user")
	}
	if comp.State != StateHandled {
		comp.State = StateHandled
		comp.HandledAt = c.now
	}
	comp.Updates++
	return response{}
}
