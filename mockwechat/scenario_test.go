package mockwechat

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// TestSnapshotRoundTrip takes a world through many steps — complaints in
// every state and arbitration state, tokens and a quota, media, messages,
// shipping reports, faults, a scenario's entries still to come — snapshots
// it, resumes the snapshot in a new fake from YAML and from JSON, and
// compares the two worlds with go-cmp; both then go on alike.
func TestSnapshotRoundTrip(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	demo.NotifyURL = rc.URL
	demo.Reasons, demo.Solutions = []string{"质量问题", "没收到货"}, []string{"退款"}
	demo.TokenCallsPerDay = 100
	other := Account{AppID: "wx1111111111111111", Secret: "s2", PaySignKey: "k2", NoPayPermission: true, NoMessagePermission: true}
	sc := &Scenario{
		Clock:    ScenarioClock{Start: t0},
		Accounts: []AccountState{{Account: demo}, {Account: other}},
		Users:    []UserState{{User: User{AppID: demo.AppID, OpenID: "o-early", LastInteraction: t0.Add(-time.Hour)}}},
		Orders: []OrderState{{Order: Order{TransID: "1000000000000000000000000001", AppID: demo.AppID, OpenID: "o-early",
			Goods: payfeedback.GoodsPhysical, PaidAt: t0.Add(-48 * time.Hour)}}},
		Complaints: []ScenarioComplaint{
			{At: t0.Add(-30 * time.Hour), AppID: demo.AppID, OpenID: "o-early", TransID: "1000000000000000000000000001", FeedBackID: "500", Reason: "质量问题"},
			{At: t0.Add(90 * 24 * time.Hour), AppID: demo.AppID, OpenID: "o-later", FeedBackID: "501", Pictures: []string{"http://p/9"}},
		},
		Actions: []ScenarioAction{{At: t0.Add(91 * 24 * time.Hour), FeedBackID: "501", Do: DoConfirm}},
		Faults:  []Fault{{Endpoint: payfeedback.PathSendMessage, ErrCode: -1, Count: 5}},
	}
	s := NewServer(Options{Scenario: sc, Seed: 7, PushTimestamps: PushTimestampsVirtual})
	defer s.Close()
	clk, _ := s.Clock()
	ctx := testCtx(t)

	tok := getToken(t, s, demo)
	getToken(t, s, demo) // a previous token in its grace period
	var ids []string
	for i, spec := range []ComplaintSpec{
		{OpenID: "o1", Reason: "没收到货", Goods: payfeedback.GoodsPhysical, PicURLs: []string{"http://p/1"}, ExtInfo: "x", Solution: "退款"},
		{OpenID: "o2"}, {OpenID: "o3"}, {OpenID: "o4"}, {OpenID: "o5"}, {OpenID: "o6"}, {OpenID: "o7"},
	} {
		spec.AppID = demo.AppID
		c, err := s.FileComplaint(ctx, spec)
		if err != nil {
			t.Fatalf("complaint %d: %v", i, err)
		}
		ids = append(ids, c.FeedBackID)
	}
	s.WaitIdle(ctx)
	for _, i := range []int{0, 1, 2, 5} {
		if code := update(t, s, tok, fmt.Sprintf("o%d", i+1), ids[i]); code != 0 {
			t.Fatalf("update %d: %d", i, code)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(s.Confirm(ctx, ids[1]))                 // confirmed
	must(s.RejectWithReason(ctx, ids[2], "还没好")) // rejected
	must(s.RequestArbitration(ctx, ids[2]))
	must(s.SubmitEvidence(ctx, ids[2], "shipped", []string{"http://p/e"}))
	must(s.Arbitrate(ctx, ids[2], false))
	must(s.RejectWithReason(ctx, ids[5], ""))
	must(s.RequestArbitration(ctx, ids[5])) // awaiting evidence: a deadline
	s.WaitIdle(ctx)
	s.ClearFaults()
	s.InjectFault(Fault{Endpoint: EndpointPush, Delay: 90 * time.Second, MsgType: payfeedback.MsgConfirm})
	if a := send(t, s, tok, `{"touser":"o1","msgtype":"text","text":{"content":"您好"}}`); a.ErrCode != 0 {
		t.Fatalf("send: %s", a.raw)
	}
	m := upload(t, s, tok, "image", "media", 1000)
	if a := send(t, s, tok, `{"touser":"o1","msgtype":"image","image":{"media_id":"`+m.MediaID+`"}}`); a.ErrCode != 0 {
		t.Fatalf("send image: %s", a.raw)
	}
	o := s.Complaints()[0]
	body := deliverBodyFor(t, demo.PaySignKey, map[string]string{"appid": demo.AppID, "openid": "o-early", "transid": o.TransID,
		"out_trade_no": "M-1", "deliver_timestamp": "1740823200", "deliver_status": "1", "deliver_msg": "ok"})
	if a := do(t, s, "POST", payfeedback.PathDeliverNotify, url.Values{"access_token": {tok}}, body); a.ErrCode != 0 {
		t.Fatalf("deliver notify: %s", a.raw)
	}
	clk.Advance(4 * 24 * time.Hour) // o4…o7 overdue, o6's evidence deadline missed
	must(s.RequestArbitration(ctx, ids[3]))
	s.WaitIdle(ctx)

	snap := s.Snapshot()
	want := s.world.Snapshot()
	covered(t, reflect.ValueOf(want), "State")
	next, err := s.FileComplaint(ctx, ComplaintSpec{AppID: demo.AppID, OpenID: "o-next"}) // after the snapshot
	must(err)
	for _, format := range []string{"yaml", "json"} {
		t.Run(format, func(t *testing.T) {
			must := func(err error) {
				t.Helper()
				if err != nil {
					t.Fatal(err)
				}
			}
			b, err := MarshalScenario(snap, format)
			must(err)
			sc2, err := ParseScenario("snapshot."+format, b)
			if err != nil {
				t.Fatalf("the snapshot does not parse: %v\n%s", err, b)
			}
			s2 := NewServer(Options{Scenario: sc2, PushTimestamps: PushTimestampsVirtual})
			defer s2.Close()
			// nil and empty reasons are one: the fake reads them alike.
			if diff := cmp.Diff(want, s2.world.Snapshot(), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("the resumed world differs (-saved +resumed):\n%s", diff)
			}
			if diff := cmp.Diff(snap, s2.Snapshot(), cmpopts.IgnoreUnexported(Scenario{}), cmpopts.EquateEmpty()); diff != "" {
				t.Fatalf("the resumed snapshot differs (-saved +resumed):\n%s", diff)
			}
			if got := s2.Faults(); len(got) != 1 || got[0].Delay != 90*time.Second {
				t.Fatalf("faults after resuming: %+v", got)
			}
			// Both go on alike: the same next id, the same later entries.
			b2, err := s2.FileComplaint(ctx, ComplaintSpec{AppID: demo.AppID, OpenID: "o-next"})
			must(err)
			if next.FeedBackID != b2.FeedBackID || next.TransID != b2.TransID {
				t.Fatalf("the next complaint is %s (order %s) here, %s (order %s) in the resumed fake", next.FeedBackID, next.TransID, b2.FeedBackID, b2.TransID)
			}
			v2, _ := s2.Clock()
			v2.Advance(91 * 24 * time.Hour)
			if c, ok := s2.Complaint("501"); !ok || c.State != StateConfirmed {
				t.Fatalf("the scenario's later complaint and action in the resumed fake: %+v %v", c, ok)
			}
		})
	}
}

// covered fails unless every field of v's structs is set somewhere: a field
// the round trip never exercised could be lost without the test noticing.
func covered(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	seen := map[string]bool{}
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		switch v.Kind() {
		case reflect.Pointer:
			if !v.IsNil() {
				walk(v.Elem(), path)
			}
		case reflect.Slice:
			if v.Type().Elem().Kind() == reflect.Uint8 {
				return
			}
			for i := range v.Len() {
				walk(v.Index(i), path+"[]")
			}
		case reflect.Struct:
			if v.Type() == reflect.TypeFor[time.Time]() {
				return
			}
			for i := range v.NumField() {
				f := v.Type().Field(i)
				if !f.IsExported() {
					continue
				}
				p := path + "." + f.Name
				if !v.Field(i).IsZero() {
					seen[p] = true
				} else if _, ok := seen[p]; !ok {
					seen[p] = false
				}
				walk(v.Field(i), p)
			}
		}
	}
	walk(v, path)
	var missing []string
	for p, ok := range seen {
		if !ok && !strings.HasSuffix(p, ".Quota.Day") { // the quota's day is set, Day counted with Used
			missing = append(missing, p)
		}
	}
	if len(missing) > 0 {
		t.Fatalf("the round trip never sets %v: make the test set them, and the scenario format carry them", missing)
	}
}

// TestScenarioTimeline: complaints at or before the clock's start are the
// world as it stands, never pushed; later ones are filed and pushed when
// the clock reaches them; actions follow; Reset plays it all again.
func TestScenarioTimeline(t *testing.T) {
	demo := DemoAccount()
	rc := newReceiver(t, demo.PaySignKey)
	src := fmt.Sprintf(`
clock: {start: 2025-03-01T10:00:00Z}
accounts:
  - {appid: %s, secret: %s, paysignkey: %s, notify_url: %s}
complaints:
  - {at: -30h, openid: o1, feedback_id: "100", goods: virtual}
  - {at: +1h, openid: o2, feedback_id: "101", reason: 没收到货}
  - {at: +1h, openid: o3, feedback_id: "102", goods: physical, no_order: true}
actions:
  - {at: -1h, feedback_id: "100", do: handle}
  - {at: +2h, feedback_id: "101", do: confirm}
faults:
  - {endpoint: /cgi-bin/token, errcode: -1}
`, demo.AppID, demo.Secret, demo.PaySignKey, rc.URL)
	sc, err := ParseScenario("timeline.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	s := NewServer(Options{Scenario: sc})
	defer s.Close()
	ctx := testCtx(t)
	if !s.Now().Equal(t0) {
		t.Fatalf("the clock starts at %v, want %v", s.Now(), t0)
	}
	check := func(when string) {
		t.Helper()
		if c, ok := s.Complaint("100"); !ok || c.State != StateHandled || !c.FiledAt.Equal(t0.Add(-30*time.Hour)) {
			t.Fatalf("%s: complaint 100: %+v", when, c)
		}
		if _, ok := s.Complaint("101"); ok {
			t.Fatalf("%s: complaint 101 is filed before its time", when)
		}
		if len(s.Faults()) != 1 {
			t.Fatalf("%s: faults %+v", when, s.Faults())
		}
	}
	check("at the start")
	s.WaitIdle(ctx)
	if n := len(rc.notifications()); n != 0 {
		t.Fatalf("%d pushes for complaints of the past", n)
	}
	s.Advance(3 * time.Hour)
	s.WaitIdle(ctx)
	if c, _ := s.Complaint("101"); c.State != StateConfirmed || !c.FiledAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("complaint 101 after 3h: %+v", c)
	}
	var types []payfeedback.MsgType
	for _, n := range rc.notifications() {
		if n.FeedBackID == "102" {
			if n.TransID != "" {
				t.Errorf("complaint 102, filed without an order, pushed TransId %q", n.TransID)
			}
			continue
		}
		types = append(types, n.MsgType)
	}
	if len(types) != 2 || types[0] != payfeedback.MsgRequest || types[1] != payfeedback.MsgConfirm {
		t.Fatalf("pushed %v, want request then confirm of 101", types)
	}
	if c, ok := s.Complaint("102"); !ok || c.TransID != "" || c.Shipping != ShippingNoOrder ||
		!c.Deadline.Equal(c.FiledAt.Add(15*24*time.Hour)) {
		t.Fatalf("complaint 102, filed without an order: %+v", c)
	}
	// A snapshot holds it as it stands, and resumes it so.
	snap, err := MarshalScenario(s.Snapshot(), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	back, err := ParseScenario("snapshot.yaml", snap)
	if err != nil {
		t.Fatalf("the snapshot does not load: %v", err)
	}
	resumed := NewServer(Options{Scenario: back})
	defer resumed.Close()
	if c, ok := resumed.Complaint("102"); !ok || c.TransID != "" || c.Shipping != ShippingNoOrder {
		t.Fatalf("complaint 102 resumed from a snapshot: %+v", c)
	}
	if err := s.Reset(ctx); err != nil {
		t.Fatal(err)
	}
	check("after reset")
	s.Advance(90 * time.Minute)
	if c, _ := s.Complaint("101"); c.State != StateFiled {
		t.Fatalf("after reset, complaint 101 is not filed again at +1h: %+v", c)
	}
}

// TestScenarioErrors: a scenario that does not hold together is refused
// with the file, line and column and what was expected, whether the fault
// is in the shape (the schema), in what refers to what, or in the moves.
func TestScenarioErrors(t *testing.T) {
	const acc = "accounts:\n  - {appid: wx1, secret: s, paysignkey: k}\n"
	for _, tt := range []struct {
		name, src, want string
		atNew           bool // found when the fake plays the scenario
	}{
		{"syntax", "complaints: [\n", "bad.yaml:1:", false},
		{"unknown top key", "complaint: []\n", `bad.yaml:1:1: unknown key "complaint"`, false},
		{"unknown key", "accounts:\n  - appid: wx1\n    secret: s\n    paysignkey: k\n    color: red\n", `bad.yaml:5:5: accounts[0]: unknown key "color"`, false},
		{"bad time", "complaints:\n  - at: tomorrow\n", "bad.yaml:2:9: complaints[0].at: want an RFC 3339 time", false},
		{"bad offset", "complaints:\n  - at: +3x\n", "complaints[0].at: want an RFC 3339 time such as 2025-03-01T10:00:00Z, or an offset", false},
		{"bad goods", acc + "complaints:\n  - {at: +1h, goods: food}\n", "bad.yaml:4:22: complaints[0].goods: value must be one of", false},
		{"wrong type", acc + "users:\n  - {openid: 7, last_interaction: +1h}\n", "bad.yaml:4:14: users[0].openid: got number, want string", false},
		{"missing key", "accounts:\n  - {appid: wx1, secret: s}\n", `bad.yaml:2:5: accounts[0]: missing key "paysignkey"`, false},
		{"missing keys", "accounts:\n  - {appid: wx1}\n", `bad.yaml:2:5: accounts[0]: missing keys "secret", "paysignkey"`, false},
		{"unknown keys", "accounts:\n  - {appid: wx1, secret: s, paysignkey: k, color: red, size: 2}\n", `bad.yaml:2:44: accounts[0]: unknown keys "color", "size": see`, false},
		// Nested aliases expand a few lines into millions of values.
		{"alias", "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nusers: [*b]\n",
			"bad.yaml:2:8: YAML aliases (*a) are not allowed in a scenario file: write the value out", false},
		{"dangling action", acc + "actions:\n  - {at: +1h, feedback_id: '9', do: confirm}\n", "bad.yaml:4:28: actions[0].feedback_id: no complaint of the scenario has feedback id 9", false},
		{"bad fault", "faults:\n  - {endpoint: /nope, errcode: 1}\n", "bad.yaml:2:5: faults[0]:", false},
		{"twice", acc + "  - {appid: wx1, secret: s, paysignkey: k}\n", "bad.yaml:3:13: accounts[1].appid: account wx1 is given twice", false},
		{"json", `{"complaints": [{"at": "+1h", "pictures": "x"}]}`, `bad.yaml:1:43: complaints[0].pictures: got string, want array`, false},
		{"unknown account", acc + "complaints:\n  - {at: +1h, appid: wx9}\n", "bad.yaml:4:22: complaints[0].appid: no account wx9", true},
		{"bad move", "clock: {start: 2025-03-01T10:00:00Z}\n" + acc + "complaints:\n  - {at: -2h, feedback_id: '1'}\nactions:\n  - {at: -1h, feedback_id: '1', do: reject}\n",
			"bad.yaml:7:5: actions[0]: at 2025-03-01T09:00:00Z: mockwechat: complaint 1 is filed: the user can reject only a handled complaint", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			sc, err := ParseScenario("bad.yaml", []byte(tt.src))
			if tt.atNew {
				if err != nil {
					t.Fatalf("parse: %v", err)
				}
				_, err = New(Options{Scenario: sc})
			}
			var se *ScenarioError
			if !errors.As(err, &se) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want a *ScenarioError containing %q", err, tt.want)
			}
		})
	}
}

// TestScenarioClockConflict: a scenario that starts elsewhere than the
// clock given is refused, saying what to do.
func TestScenarioClockConflict(t *testing.T) {
	_, err := New(Options{Clock: NewVirtualClock(t0), Scenario: &Scenario{Clock: ScenarioClock{Start: t0.Add(time.Hour)}}})
	if err == nil || !strings.Contains(err.Error(), "leave Options.Clock nil") {
		t.Fatalf("got %v", err)
	}
	s, err := New(Options{Clock: NewVirtualClock(t0), Scenario: &Scenario{Complaints: []ScenarioComplaint{{At: t0.Add(-time.Hour)}}}})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if cs := s.Complaints(); len(cs) != 1 || !cs[0].FiledAt.Equal(t0.Add(-time.Hour)) || cs[0].AppID != DemoAccount().AppID {
		t.Fatalf("a scenario on the clock given, with the demo account: %+v", cs)
	}
	_ = world.StateFiled
}

// TestSnapshotOverHTTP: GET /_mock/snapshot answers the world as a
// scenario, JSON by default and YAML on request, which parses back.
func TestSnapshotOverHTTP(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	if _, err := s.FileComplaint(testCtx(t), ComplaintSpec{OpenID: "o1", FeedBackID: "42"}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ query, accept, ctype string }{
		{"", "", "application/json"}, {"?format=yaml", "", "application/yaml"}, {"", "application/yaml", "application/yaml"},
	} {
		req, _ := http.NewRequest("GET", s.URL+"/_mock/snapshot"+tt.query, nil)
		if tt.accept != "" {
			req.Header.Set("Accept", tt.accept)
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.ctype) {
			t.Fatalf("GET /_mock/snapshot%s: HTTP %d %s", tt.query, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		sc, err := ParseScenario("snapshot", b)
		if err != nil || len(sc.Complaints) != 1 || sc.Complaints[0].FeedBackID != "42" || !sc.Clock.Start.Equal(t0) {
			t.Fatalf("the snapshot %s: %v %+v", b, err, sc)
		}
	}
	if code, _ := adminCall(t, s, "GET", "/_mock/snapshot?format=xml", "", nil); code != http.StatusBadRequest {
		t.Fatalf("format=xml: HTTP %d, want 400", code)
	}
}

// TestSnapshotWithoutSecrets: a snapshot can leave the secrets out, over
// HTTP (?secrets=omit) and in Go: the accounts' secret and paySignKey,
// and the tokens issued, appear nowhere in it; the rest of the world is
// there. Loading it says which secret to give back. By default the
// snapshot keeps them, to resume from.
func TestSnapshotWithoutSecrets(t *testing.T) {
	s, _ := newVirtual(t, Options{})
	demo := DemoAccount()
	if _, err := s.FileComplaint(testCtx(t), ComplaintSpec{OpenID: "o1", FeedBackID: "42"}); err != nil {
		t.Fatal(err)
	}
	token, err := s.Token(demo.AppID)
	if err != nil {
		t.Fatal(err)
	}
	secrets := []string{demo.Secret, demo.PaySignKey, token}
	get := func(query string) string {
		resp, err := s.Client().Get(s.URL + "/_mock/snapshot" + query)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("GET /_mock/snapshot%s: HTTP %d %s", query, resp.StatusCode, b)
		}
		return string(b)
	}
	goYAML, err := MarshalScenario(s.SnapshotWithoutSecrets(), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	for name, text := range map[string]string{"json": get("?secrets=omit"), "yaml": get("?secrets=omit&format=yaml"), "go": string(goYAML)} {
		for _, secret := range secrets {
			if strings.Contains(text, secret) {
				t.Errorf("%s: the snapshot without secrets holds %q:\n%s", name, secret, text)
			}
		}
		if !strings.Contains(text, "42") || !strings.Contains(text, demo.AppID) {
			t.Errorf("%s: the world is missing:\n%s", name, text)
		}
		_, err := ParseScenario("shared."+map[bool]string{true: "json", false: "yaml"}[name == "json"], []byte(text))
		var se *ScenarioError
		if !errors.As(err, &se) || !strings.Contains(err.Error(), "accounts[0].secret: empty: the snapshot was taken without secrets") {
			t.Errorf("%s: loading it: %v", name, err)
		}
	}
	full := get("")
	for _, secret := range secrets {
		if !strings.Contains(full, secret) {
			t.Errorf("the snapshot by default lacks %q, which resuming needs", secret)
		}
	}
	if _, err := ParseScenario("full.json", []byte(full)); err != nil {
		t.Fatal(err)
	}
}
