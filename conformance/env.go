package conformance

import "context"

// env is what cases run against: the settings, the merchant, the
// notification maker and, with Options.API, the API scenario; in the
// Complaints 2.0 plan, pay instead of forge and api.
type env struct {
	s     *settings
	t     target
	forge *forge
	api   *apiRun
	pay   *payRun
	// payAPI is the Complaints 2.0 plan's embedded fake, with Options.API.
	payAPI *payAPIRun
}

// post sends body as a notification and waits the usual time.
func (e *env) post(ctx context.Context, body []byte) Exchange {
	return e.t.send(ctx, request{body: body, wait: e.s.answerWait()})
}

// acceptForm posts a valid notification and judges it accepted; the cases
// that differ only in the document's form use it.
func (e *env) acceptForm(ctx context.Context, body []byte) Result {
	return mustAccept(e.post(ctx, body))
}
