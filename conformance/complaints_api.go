package conformance

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// payAPIRun is the Complaints 2.0 plan's embedded fake WeChat (Options.API):
// a mockwechat.Server playing Complaints 2.0 with the plan's identity
// (PayKeys), served at APIEnv.BaseURL behind the suite's front, which
// answers one immediate-service reply with a transient error so that the
// merchant's retry shows. It is also the plan's Observer: the complaints
// the plan's callbacks name are filed there, quietly, and the merchant's
// work on them is read from the fake's call log. Its scenario files
// complaints that the fake announces itself and judges what the merchant
// does about them (see play).
type payAPIRun struct {
	s     *settings
	fake  *mockwechat.Server
	clock *mockwechat.VirtualClock // nil: real time
	// keysDir holds the plan's identity as the fake reads a keys directory;
	// removed at close.
	keysDir string
	front   *http.Server
	// push serves an in-process handler on loopback for the fake's
	// callbacks.
	push     *httptest.Server
	merchant http.Handler
	env      APIEnv
	mchid    string
	// notifyURL is the merchant's callback URL, which the scenario gives
	// the fake when it begins.
	notifyURL string

	// timers are the merchant's timers on the virtual clock.
	timers timers
	// clockMu guards moves, the suite's moves of the virtual clock, the
	// first where it started.
	clockMu sync.Mutex
	moves   []clockMove

	// faultMu guards armed and injected: the front's transient fault.
	faultMu  sync.Mutex
	armed    bool
	injected []injectedCall

	once sync.Once
	obs  *payObservations
}

// injectedCall is a merchant's call the front answered itself with a
// transient error: it never reached the fake, whose log lacks it.
type injectedCall struct {
	// Seq is the sequence number the fake's next call had then: the
	// merchant's retry comes at or after it.
	Seq       uint64
	Time      time.Time // real time, as the fake logs its /v3/ calls
	Complaint string
	Target    string
	Body      []byte
}

// transientAnswer is the front's injected error: what WeChat answers when
// it asks for the same request again later ("系统错误").
const transientAnswer = `{"code":"SYSTEM_ERROR","message":"系统错误，请使用相同参数稍后重新调用"}`

// startPayAPI starts the fake with the plan's identity. With
// Options.Merchant, or VirtualClock, the fake's clock is virtual;
// signatures and the timestamps the merchant checks stay on real time
// (PushTimestampsWall), so that a merchant in another process need not
// follow the fake's clock to verify callbacks.
func startPayAPI(ctx context.Context, s *settings) (*payAPIRun, error) {
	a := &payAPIRun{s: s, mchid: s.PayKeys.Merchant.MchID}
	dir, err := os.MkdirTemp("", "payfeedback-conformance-keys-")
	if err != nil {
		return nil, fmt.Errorf("conformance: a directory for the embedded fake's keys: %w", err)
	}
	a.keysDir = dir
	if err := writeFakeKeys(dir, s.PayKeys); err != nil {
		a.close()
		return nil, err
	}
	mo := mockwechat.Options{
		Pay:            &mockwechat.PayOptions{KeysDir: dir, Mode: mockwechat.PayMode(s.KeyMode), Seed: s.Seed},
		PushTimeout:    s.answerWait(),
		PushTimestamps: mockwechat.PushTimestampsWall,
	}
	if u, err := url.Parse(s.URL); err == nil && u.Hostname() != "" {
		mo.AllowNotify = []string{u.Hostname()}
	}
	if s.Chaos > 0 {
		mo.CallLogSize = mockwechat.DefaultCallLogSize + 16*s.Chaos
	}
	if s.VirtualClock || s.Merchant != nil && s.URL == "" {
		a.clock = mockwechat.NewVirtualClock(time.Now().Truncate(time.Second))
		a.moves = []clockMove{{wall: time.Now(), virtual: a.clock.Now()}}
		mo.Clock = a.clock
	}
	fake, err := mockwechat.New(mo)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("conformance: embedded fake WeChat: %w", err)
	}
	a.fake = fake
	fake.Start() // its own loopback address; the merchant reaches it through the front
	if m, ok := fake.PayMerchant(); !ok || m.MchID != a.mchid {
		a.close()
		return nil, errors.New("conformance: the embedded fake WeChat did not take the plan's merchant: report this to payfeedback")
	}
	addr := s.APIAddr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		a.close()
		return nil, fmt.Errorf("conformance: the embedded fake WeChat cannot listen on %s: %w (choose another --api-addr)", addr, err)
	}
	a.front = &http.Server{Handler: a, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = a.front.Serve(ln) }()
	a.env = APIEnv{BaseURL: "http://" + ln.Addr().String(), Now: fake.Now, AfterFunc: a.afterFunc}
	if s.Merchant != nil {
		a.merchant = s.Merchant(a.env)
		if a.merchant == nil {
			a.close()
			return nil, errors.New("conformance: Options.Merchant returned a nil handler")
		}
	}
	a.notifyURL = s.URL
	if a.notifyURL == "" {
		h := a.merchant
		if h == nil {
			h = s.Handler
		}
		a.push = httptest.NewServer(h)
		a.notifyURL = a.push.URL + s.path()
	}
	if s.APIReady != nil {
		s.APIReady(a.env)
	}
	return a, nil
}

func (a *payAPIRun) close() {
	if a.front != nil {
		ctx, cancel := context.WithTimeout(context.Background(), closeWait)
		defer cancel()
		_ = a.front.Shutdown(ctx)
		a.front.Close()
	}
	if a.fake != nil {
		ctx, cancel := context.WithTimeout(context.Background(), closeWait)
		defer cancel()
		_ = a.fake.Shutdown(ctx)
	}
	if a.push != nil {
		a.push.Close()
	}
	if a.keysDir != "" {
		_ = os.RemoveAll(a.keysDir)
	}
}

// ServeHTTP is the front: the fake's every endpoint, but for the one
// immediate-service reply the scenario has armed the fault for, answered
// 500 SYSTEM_ERROR without reaching the fake.
func (a *payAPIRun) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		if id, e := complaintCall(r.URL.Path); e == complaints.EndpointImmediateService && a.takeFault() {
			body, _ := io.ReadAll(io.LimitReader(r.Body, 64<<10))
			a.faultMu.Lock()
			a.injected = append(a.injected, injectedCall{Seq: a.nextSeq(), Time: time.Now(), Complaint: id, Target: r.URL.RequestURI(), Body: body})
			a.faultMu.Unlock()
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, transientAnswer)
			return
		}
	}
	a.fake.ServeHTTP(w, r)
}

// arm makes the front fail the next immediate-service reply.
func (a *payAPIRun) arm() {
	a.faultMu.Lock()
	defer a.faultMu.Unlock()
	a.armed = true
}

func (a *payAPIRun) takeFault() bool {
	a.faultMu.Lock()
	defer a.faultMu.Unlock()
	ok := a.armed
	a.armed = false
	return ok
}

func (a *payAPIRun) injectedCalls() []injectedCall {
	a.faultMu.Lock()
	defer a.faultMu.Unlock()
	return append([]injectedCall(nil), a.injected...)
}

// complaintCall names the complaint and the endpoint of a path under
// complaints.PathComplaints; "" and "" for any other path.
func complaintCall(path string) (string, complaints.Endpoint) {
	rest, ok := strings.CutPrefix(path, complaints.PathComplaints+"/")
	if !ok || rest == "" {
		return "", ""
	}
	id, tail, _ := strings.Cut(rest, "/")
	if u, err := url.PathUnescape(id); err == nil {
		id = u
	}
	switch tail {
	case "":
		return id, complaints.EndpointDetail
	case "negotiation-historys":
		return id, complaints.EndpointHistory
	case "response":
		return id, complaints.EndpointResponse
	case "complete":
		return id, complaints.EndpointComplete
	case "update-refund-progress":
		return id, complaints.EndpointRefundProgress
	case "response-immediate-service":
		return id, complaints.EndpointImmediateService
	}
	return id, ""
}

// succeeded reports a call answered 2xx without an error code.
func succeeded(c mockwechat.Call) bool {
	return c.Status >= 200 && c.Status < 300 && c.Code == ""
}

// NewComplaint files a complaint at the fake, PENDING, without its
// callback: the plan sends its own (Observer).
func (a *payAPIRun) NewComplaint(ctx context.Context) (string, error) {
	c, err := a.fake.FilePayComplaintQuietly(ctx, mockwechat.PayComplaintSpec{MchID: a.mchid, Detail: "商品与描述不符，申请处理"})
	return c.Wire.ComplaintID, err
}

// Resolve makes the complaint PROCESSED at the fake, without a callback
// (Observer).
func (a *payAPIRun) Resolve(ctx context.Context, id string) error {
	_, err := a.fake.ResolvePayComplaint(ctx, id)
	return err
}

// Work counts the merchant's successful calls about complaint id: reads
// (GET) and acts (POST) (Observer).
func (a *payAPIRun) Work(_ context.Context, id string) (MerchantWork, error) {
	var w MerchantWork
	for _, c := range a.fake.Calls() {
		if cid, e := complaintCall(c.Endpoint); cid != id || e == "" || !succeeded(c) {
			continue
		}
		if c.Method == http.MethodGet {
			w.Reads++
		} else {
			w.Acts++
		}
	}
	return w, nil
}

// afterFunc is APIEnv.AfterFunc: f runs once the fake's clock has moved d
// ahead; with real time, after d.
func (a *payAPIRun) afterFunc(d time.Duration, f func()) {
	if a.clock == nil {
		time.AfterFunc(d, f)
		return
	}
	a.timers.add(a.clock.Now().Add(max(d, 0)), f)
}

// advanceTo moves the virtual clock to t, running the merchant's timers
// due on the way, each at its instant, and notes each move (see
// virtualAt).
func (a *payAPIRun) advanceTo(ctx context.Context, t time.Time) {
	a.clockMu.Lock()
	defer a.clockMu.Unlock()
	move := func(to time.Time) {
		a.clock.AdvanceTo(to)
		a.moves = append(a.moves, clockMove{wall: time.Now(), virtual: a.clock.Now()})
	}
	for ctx.Err() == nil {
		tm, ok := a.timers.popDue(t)
		if !ok {
			break
		}
		move(tm.at)
		runTimer(ctx, tm.f, a.s.answerWait())
	}
	move(t)
}

// clockMove is where the suite put the virtual clock, and when.
type clockMove struct{ wall, virtual time.Time }

// virtualAt returns the fake's virtual time at real instant wall: the
// fake logs its /v3/ calls on real time (signatures are on real time),
// and the virtual clock stands still between the suite's moves.
func (a *payAPIRun) virtualAt(wall time.Time) time.Time {
	if a.clock == nil {
		return wall
	}
	a.clockMu.Lock()
	defer a.clockMu.Unlock()
	at := a.moves[0].virtual
	for _, m := range a.moves {
		if m.wall.After(wall) {
			break
		}
		at = m.virtual
	}
	return at
}

// nextSeq returns the sequence number the fake's next call will have.
func (a *payAPIRun) nextSeq() uint64 {
	_, next := a.fake.CallsSince(math.MaxUint64)
	return next
}
