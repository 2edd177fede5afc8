package conformance_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
)

// The tests of this file prove that each case sends what its id says: a
// recorder in front of the reference merchant keeps every request it gets,
// by the case that was running, and a table holds, for every case, the
// property its id names. A case that stopped sending its hostile
// notification (notify/optional/transid keeping TransId,
// security/required/msgtype keeping MsgType) would otherwise pass against
// a sound merchant and go blind with nothing failing.

// sent is one request the merchant got.
type sent struct {
	method string
	// length is the announced Content-Length; -1 when the body came
	// chunked.
	length int64
	body   []byte
	// cut reports that the body ended before it was complete (a failed
	// attempt).
	cut bool
	// root and els are the document's root element and its children in
	// order; scanErr says why the document did not read as well-formed
	// XML.
	root    string
	els     []element
	scanErr error
}

// element is a child of the root: its name, its value as written (white
// space kept) and, for PicInfo, its items.
type element struct {
	name, raw string
	items     []string
}

func (s *sent) scan() {
	dec := xml.NewDecoder(bytes.NewReader(s.body))
	depth := 0
	var cur *element
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			s.scanErr = err
			return
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch depth {
			case 1:
				s.root = t.Name.Local
			case 2:
				s.els = append(s.els, element{name: t.Name.Local})
				cur = &s.els[len(s.els)-1]
			case 4:
				cur.items = append(cur.items, "")
			}
		case xml.EndElement:
			depth--
		case xml.CharData:
			switch {
			case depth == 2:
				cur.raw += string(t)
			case depth == 4 && len(cur.items) > 0:
				cur.items[len(cur.items)-1] += strings.TrimSpace(string(t))
			}
		}
	}
}

// value is the trimmed value of the first element name, and whether it is
// there.
func (s sent) value(name string) (string, bool) {
	for _, e := range s.els {
		if e.name == name {
			return strings.TrimSpace(e.raw), true
		}
	}
	return "", false
}

func (s sent) has(name string) bool { _, ok := s.value(name); return ok }

// note is the notification the elements hold (missing ones empty).
func (s sent) note() *payfeedback.Notification {
	v := func(name string) string { x, _ := s.value(name); return x }
	n := &payfeedback.Notification{AppID: v("AppId"), TimeStamp: v("TimeStamp"), OpenID: v("OpenId"),
		MsgType: payfeedback.MsgType(v("MsgType")), FeedBackID: v("FeedBackId"), TransID: v("TransId"),
		Reason: v("Reason"), Solution: v("Solution"), ExtInfo: v("ExtInfo"), AppSignature: v("AppSignature"), SignMethod: v("SignMethod")}
	for _, e := range s.els {
		if e.name == "PicInfo" {
			n.PicURLs = append(n.PicURLs, e.items...)
		}
	}
	return n
}

// signed reports whether the signature verifies with the merchant's key
// (SignMethod aside: a case may change it over a valid sha1 signature).
func (s sent) signed() bool {
	n := s.note()
	n.SignMethod = ""
	return n.Verify(testKey) == nil
}

// age is how far the TimeStamp lies behind now (negative: ahead).
func (s sent) age() time.Duration {
	n := s.note()
	ts, err := n.Unix()
	if err != nil {
		return 0
	}
	return time.Since(time.Unix(ts, 0))
}

// recorder keeps the requests the merchant behind it gets, until taken.
type recorder struct {
	next http.Handler
	mu   sync.Mutex
	reqs []sent
}

func (rc *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 8<<20))
	s := sent{method: r.Method, length: r.ContentLength, body: body, cut: err != nil}
	s.scan()
	rc.mu.Lock()
	rc.reqs = append(rc.reqs, s)
	rc.mu.Unlock()
	rest := io.Reader(bytes.NewReader(body))
	if err != nil {
		rest = io.MultiReader(rest, errorReader{err})
	}
	r.Body = io.NopCloser(rest)
	rc.next.ServeHTTP(w, r)
}

// take returns the requests since the last take.
func (rc *recorder) take() []sent {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	out := rc.reqs
	rc.reqs = nil
	return out
}

type errorReader struct{ err error }

func (e errorReader) Read([]byte) (int, error) { return 0, e.err }

// sends is what a run sent, by case, and the fake's complaints of the
// deadline cells.
type sends struct {
	byCase map[string][]sent
	// cells holds the fake's record of each deadline cell's complaint,
	// read while the fake ran.
	cells map[string]cellComplaint
}

// cellComplaint is what the fake's admin API says of a complaint.
type cellComplaint struct {
	Goods    payfeedback.GoodsKind `json:"goods"`
	Shipping string                `json:"shipping"`
	FiledAt  time.Time             `json:"filed_at"`
	Deadline time.Time             `json:"deadline"`
}

// chaosComplaints is the size of the campaign sends plays.
const chaosComplaints = 60

// record runs every case, API cases and a chaos campaign included,
// against the reference merchant behind a recorder.
func record(t *testing.T) sends {
	t.Helper()
	rec := &recorder{}
	out := sends{byCase: map[string][]sent{}, cells: map[string]cellComplaint{}}
	var base string
	var scenario []string // the FeedBackIds the scenario pushed, in order
	rep, err := conformance.Run(t.Context(), conformance.Options{
		Merchant: func(env conformance.APIEnv) http.Handler { rec.next = reference(env); return rec },
		AppID:    testAppID, PaySignKey: testKey, API: true, Oversize: testOversize,
		Chaos: chaosComplaints, Seed: 7,
		APIReady: func(env conformance.APIEnv) { base = env.BaseURL },
		Progress: func(r conformance.Result) {
			reqs := rec.take()
			out.byCase[r.ID] = reqs
			for _, s := range reqs {
				if id, _ := s.value("FeedBackId"); !slices.Contains(scenario, id) && r.Section == "api" {
					scenario = append(scenario, id)
				}
			}
			cell, ok := strings.CutPrefix(r.ID, "api/deadline/")
			if !ok {
				return
			}
			// The scenario files its first, second and token-expired
			// complaints, then one per cell, in the order of the cases.
			k := 3 + slices.IndexFunc(withPrefix("api/deadline/"), func(id string) bool { return id == r.ID })
			if k >= len(scenario) {
				t.Errorf("%s: the scenario pushed %d complaints, not this cell's", r.ID, len(scenario))
				return
			}
			resp, err := http.Get(base + "/_mock/complaints/" + scenario[k])
			if err != nil {
				t.Error(err)
				return
			}
			defer resp.Body.Close()
			var c cellComplaint
			if err := json.NewDecoder(resp.Body).Decode(&c); err != nil {
				t.Errorf("%s: the fake's complaint %s: %v", r.ID, scenario[k], err)
			}
			out.cells[cell] = c
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Failed() {
		t.Errorf("the reference merchant failed %v (inconclusive: %v)", rep.FailedIDs(), rep.IDs(conformance.Inconclusive))
	}
	return out
}

var optionalNames = []string{"TransId", "Reason", "Solution", "ExtInfo", "PicInfo", "SignMethod"}
var requiredNames = []string{"AppId", "TimeStamp", "OpenId", "MsgType", "FeedBackId", "AppSignature"}

// check is the property one case's requests must have; it returns what is
// wrong, or "".
type check func(reqs []sent, s sends) string

// one checks that exactly one request was sent, then f on it.
func one(f func(q sent) string) check {
	return func(reqs []sent, _ sends) string {
		if len(reqs) != 1 {
			return fmt.Sprintf("%d requests, want 1", len(reqs))
		}
		return f(reqs[0])
	}
}

// two checks that two requests were sent, then f on them.
func two(f func(a, b sent) string) check {
	return func(reqs []sent, _ sends) string {
		if len(reqs) != 2 {
			return fmt.Sprintf("%d requests, want 2", len(reqs))
		}
		return f(reqs[0], reqs[1])
	}
}

// valid checks a valid request: POST, the encoder's elements, signed.
func valid(q sent) string {
	switch {
	case q.method != http.MethodPost:
		return "method " + q.method
	case q.scanErr != nil || q.root != "xml":
		return fmt.Sprintf("not a well-formed <xml> document: %v", q.scanErr)
	case !q.signed():
		return "the signature does not verify"
	}
	for _, name := range requiredNames {
		if !q.has(name) {
			return "no " + name
		}
	}
	return ""
}

func validRequest(f func(q sent) string) check {
	return one(func(q sent) string {
		if p := valid(q); p != "" {
			return p
		}
		if mt, _ := q.value("MsgType"); mt != "request" {
			return "MsgType " + mt
		}
		return f(q)
	})
}

// without checks one request that lacks name and carries each of others.
func without(name string, others []string) check {
	return one(func(q sent) string {
		switch {
		case q.has(name):
			return name + " is there"
		case q.scanErr != nil:
			return q.scanErr.Error()
		}
		for _, o := range others {
			if o != name && !q.has(o) {
				return o + " is missing too"
			}
		}
		return ""
	})
}

// casesChecks holds the property of every case, by id.
func casesChecks() map[string]check {
	m := map[string]check{
		conformance.ControlID: validRequest(func(sent) string { return "" }),
		"notify/request/cdata": validRequest(func(q sent) string {
			if n := strings.Count(string(q.body), "<![CDATA["); n < 5 {
				return fmt.Sprintf("%d values in CDATA", n)
			}
			return ""
		}),
		"notify/request/plain-text": validRequest(func(q sent) string {
			if strings.Contains(string(q.body), "CDATA") {
				return "a value in CDATA"
			}
			return ""
		}),
		"notify/request/whitespace": validRequest(func(q sent) string {
			for _, e := range q.els {
				if e.raw != "" && e.raw == strings.TrimSpace(e.raw) {
					return e.name + " has no white space around its value"
				}
			}
			return ""
		}),
		"notify/request/element-order": validRequest(func(q sent) string {
			if len(q.els) == 0 || q.els[0].name != "PicInfo" {
				return "PicInfo does not come first"
			}
			return ""
		}),
		"notify/request/unicode": validRequest(func(q sent) string {
			n := q.note()
			if !strings.Contains(n.Reason, "😡") || !strings.Contains(n.ExtInfo, "]]>") || !strings.Contains(n.Solution, "💴") {
				return fmt.Sprintf("Reason %q, Solution %q, ExtInfo %q: no emoji or no CDATA end", n.Reason, n.Solution, n.ExtInfo)
			}
			return ""
		}),
		"notify/request/pictures": validRequest(func(q sent) string {
			items := q.note().PicURLs
			if len(items) != 5 || !slices.Contains(items, "") {
				return fmt.Sprintf("PicInfo items %q, want five with an empty slot", items)
			}
			return ""
		}),
		"notify/request/unknown-elements": validRequest(func(q sent) string {
			known := append(append([]string{}, optionalNames...), requiredNames...)
			for _, e := range q.els {
				if !slices.Contains(known, e.name) {
					return ""
				}
			}
			return "no element the protocol does not define"
		}),
		"notify/request/feedbackid-beyond-int64": validRequest(func(q sent) string {
			id, _ := q.value("FeedBackId")
			if _, err := strconv.ParseInt(id, 10, 64); err == nil {
				return "FeedBackId " + id + " fits an int64"
			}
			return ""
		}),
		"notify/confirm":    followUp("confirm", false),
		"notify/reject":     followUp("reject", true),
		"notify/time-limit": validRequest(func(sent) string { return "" }),

		"security/signature/wrong": one(func(q sent) string {
			sig, _ := q.value("AppSignature")
			if q.signed() || len(sig) != 40 {
				return "the signature verifies, or is not 40 hex digits: " + sig
			}
			return ""
		}),
		"security/signature/other-key": one(func(q sent) string {
			sig, _ := q.value("AppSignature")
			if q.signed() || len(sig) != 40 {
				return "the signature verifies with the merchant's key, or is not 40 hex digits: " + sig
			}
			return ""
		}),
		"security/signature/missing": without("AppSignature", requiredNames),
		"security/signature/empty": one(func(q sent) string {
			if sig, ok := q.value("AppSignature"); !ok || sig != "" {
				return fmt.Sprintf("AppSignature %q (there: %v), want an empty one", sig, ok)
			}
			return ""
		}),
		"security/appid/wrong": one(func(q sent) string {
			if id, _ := q.value("AppId"); id == testAppID || !q.signed() {
				return "AppId " + id + " is the merchant's, or the signature does not verify"
			}
			return ""
		}),
		"security/signmethod/unknown": one(func(q sent) string {
			if m, _ := q.value("SignMethod"); m != "md5" || !q.signed() {
				return "SignMethod " + m + ", or the sha1 signature does not verify"
			}
			return ""
		}),
		"security/timestamp/stale": one(func(q sent) string {
			if a := q.age(); a < conformance.DefaultStaleAge-time.Minute || !q.signed() {
				return fmt.Sprintf("stamped %s ago, or not signed", a)
			}
			return ""
		}),
		"security/timestamp/future": one(func(q sent) string {
			if a := q.age(); a > -conformance.DefaultFutureSkew || !q.signed() {
				return fmt.Sprintf("stamped %s ahead, or not signed", -a)
			}
			return ""
		}),
		"security/replay/feedbackid": replay(func(a, b *payfeedback.Notification) bool {
			return a.FeedBackID != b.FeedBackID && a.MsgType == b.MsgType
		}),
		"security/replay/msgtype": replay(func(a, b *payfeedback.Notification) bool {
			return a.FeedBackID == b.FeedBackID && a.MsgType == payfeedback.MsgRequest && b.MsgType == payfeedback.MsgConfirm
		}),
		"security/xml/malformed": one(func(q sent) string {
			if q.scanErr == nil || q.root != "xml" || !bytes.Contains(q.body, []byte("<AppSignature>")) {
				return "well-formed, or not an <xml> document with its fields"
			}
			return ""
		}),
		"security/xml/wrong-root": one(func(q sent) string {
			if q.scanErr != nil || q.root == "xml" || !q.signed() {
				return "root <" + q.root + ">, or not signed"
			}
			return ""
		}),
		"security/xml/doctype-entities": one(func(q sent) string {
			if !bytes.Contains(q.body, []byte("<!DOCTYPE")) || !bytes.Contains(q.body, []byte("<!ENTITY lol9")) || !bytes.Contains(q.body, []byte("&lol9;")) {
				return "no DOCTYPE with nested entities in use"
			}
			return ""
		}),
		"security/xml/external-entity": one(func(q sent) string {
			if !bytes.Contains(q.body, []byte(`<!ENTITY xxe SYSTEM "file:///etc/passwd">`)) || !bytes.Contains(q.body, []byte("&xxe;")) {
				return "no external entity in use"
			}
			return ""
		}),
		"security/size/oversized": one(func(q sent) string {
			if q.length != testOversize || len(q.body) != testOversize {
				return fmt.Sprintf("Content-Length %d, %d bytes, want %d", q.length, len(q.body), testOversize)
			}
			return ""
		}),
		"security/size/oversized-chunked": one(func(q sent) string {
			if q.length != -1 || len(q.body) != testOversize {
				return fmt.Sprintf("Content-Length %d, %d bytes, want chunked, %d", q.length, len(q.body), testOversize)
			}
			return ""
		}),
		"security/method/get": method(http.MethodGet),
		"security/method/put": method(http.MethodPut),
		"security/msgtype/unknown": one(func(q sent) string {
			if mt, _ := q.value("MsgType"); mt == "request" || mt == "confirm" || mt == "reject" || mt == "" || !q.signed() {
				return "MsgType " + mt + ", or not signed"
			}
			return ""
		}),
		"delivery/duplicate": two(func(a, b sent) string {
			if p := valid(a); p != "" || !bytes.Equal(a.body, b.body) {
				return "not a valid notification twice, byte for byte: " + p
			}
			return ""
		}),
		"delivery/retry-after-cut": two(func(a, b sent) string {
			switch {
			case !a.cut || b.cut:
				return fmt.Sprintf("cut %v then %v, want a cut attempt then a whole one", a.cut, b.cut)
			case !bytes.HasPrefix(b.body, a.body) || a.length != int64(len(b.body)):
				return "the cut attempt is not the start of the full notification"
			case !bytes.Contains(a.body, []byte("<FeedBackId>")) || bytes.Contains(a.body, []byte("</PicInfo>")):
				return "not cut inside PicInfo, after every signed field"
			}
			return valid(b)
		}),
		"chaos/campaign": chaosSends,
	}
	for _, name := range optionalNames {
		m["notify/optional/"+strings.ToLower(name)] = validRequestWithout(name)
	}
	for _, name := range requiredNames[:5] {
		m["security/required/"+strings.ToLower(name)] = requiredMissing(name)
	}
	for _, id := range withPrefix("api/") {
		m[id] = apiSends(id)
	}
	return m
}

// validRequestWithout checks a request that lacks name and carries every
// other element of the field table, validly signed.
func validRequestWithout(name string) check {
	return func(reqs []sent, s sends) string {
		if p := without(name, append(append([]string{}, optionalNames...), requiredNames...))(reqs, s); p != "" {
			return p
		}
		if !reqs[0].signed() {
			return "not signed"
		}
		return ""
	}
}

// requiredMissing checks a request without name, signed over an empty
// value when the signature covers it, so that only the rule refuses it.
func requiredMissing(name string) check {
	return func(reqs []sent, s sends) string {
		if p := without(name, requiredNames)(reqs, s); p != "" {
			return p
		}
		if !reqs[0].signed() {
			return "the signature does not verify with " + name + " empty: the case would be refused for its signature"
		}
		return ""
	}
}

func followUp(mt string, requestFields bool) check {
	return two(func(a, b sent) string {
		na, nb := a.note(), b.note()
		switch {
		case valid(a) != "" || valid(b) != "":
			return valid(a) + valid(b)
		case na.MsgType != payfeedback.MsgRequest || string(nb.MsgType) != mt || na.FeedBackID != nb.FeedBackID:
			return fmt.Sprintf("%s %s then %s %s, want a request then a %s about it", na.MsgType, na.FeedBackID, nb.MsgType, nb.FeedBackID, mt)
		case requestFields && (nb.TransID == "" || nb.Solution == "" || nb.ExtInfo == ""):
			return "the " + mt + " lacks TransId, Solution or ExtInfo"
		}
		return ""
	})
}

func replay(same func(a, b *payfeedback.Notification) bool) check {
	return two(func(a, b sent) string {
		na, nb := a.note(), b.note()
		if valid(a) != "" || na.AppSignature != nb.AppSignature || na.TimeStamp != nb.TimeStamp || !same(na, nb) {
			return fmt.Sprintf("not a valid capture and its signature replayed with the altered field: %+v / %+v", na, nb)
		}
		return ""
	})
}

func method(m string) check {
	return one(func(q sent) string {
		if q.method != m || q.scanErr != nil || !q.signed() {
			return "method " + q.method + ", or not a valid notification"
		}
		return ""
	})
}

// apiSends: the API cases send nothing of their own; the scenario, played
// by the first of them, pushes a request per phase; each deadline cell's
// complaint is of the cell's goods and shipping state.
func apiSends(id string) check {
	return func(reqs []sent, s sends) string {
		if id == withPrefix("api/")[0] {
			n := 0
			for _, q := range reqs {
				if mt, _ := q.value("MsgType"); mt == "request" && valid(q) == "" {
					n++
				}
			}
			if want := 3 + len(withPrefix("api/deadline/")); n < want {
				return fmt.Sprintf("%d request notifications pushed, want the scenario's %d", n, want)
			}
			return ""
		}
		if len(reqs) != 0 {
			return fmt.Sprintf("%d requests: an api case judges what the scenario saw, it sends nothing", len(reqs))
		}
		cell, ok := strings.CutPrefix(id, "api/deadline/")
		if !ok {
			return ""
		}
		c, ok := s.cells[cell]
		if !ok {
			return "no complaint of this cell in the fake"
		}
		goods, shipping, _ := strings.Cut(cell, "-")
		wantShipping := map[string]string{"unshipped-overdue": payfeedback.NotShippedOverdue.String(), "shipped": payfeedback.Shipped.String()}[shipping]
		if c.Goods.String() != goods || c.Shipping != wantShipping {
			return fmt.Sprintf("the complaint is of %s goods, %q; want %s goods, %q", c.Goods, c.Shipping, goods, wantShipping)
		}
		return ""
	}
}

// chaosSends: the campaign sends each complaint's genuine request, and
// among them exact duplicates, cut copies, forged copies (a captured
// signature with other fields), stale copies and follow-ups.
func chaosSends(reqs []sent, _ sends) string {
	genuine := map[string]bool{}
	bySig := map[string]map[string]bool{}
	bodies := map[string]int{}
	var cut, stale, follow int
	for _, q := range reqs {
		bodies[string(q.body)]++
		if q.cut {
			cut++
			continue
		}
		n := q.note()
		if !q.signed() {
			continue
		}
		if q.age() > time.Hour {
			stale++
			continue
		}
		fields, _ := json.Marshal(struct {
			M, F, R, E string
			P          []string
		}{string(n.MsgType), n.FeedBackID, n.Reason, n.ExtInfo, n.PicURLs})
		if bySig[n.AppSignature] == nil {
			bySig[n.AppSignature] = map[string]bool{}
		}
		bySig[n.AppSignature][string(fields)] = true
		switch n.MsgType {
		case payfeedback.MsgRequest:
			genuine[n.FeedBackID] = true
		default:
			follow++
		}
	}
	forged := 0
	for _, f := range bySig {
		if len(f) > 1 {
			forged++
		}
	}
	dups := 0
	for _, n := range bodies {
		if n > 1 {
			dups++
		}
	}
	var missing []string
	for what, n := range map[string]int{"duplicates": dups, "cut copies": cut, "forged copies": forged, "stale copies": stale, "follow-ups": follow} {
		if n == 0 {
			missing = append(missing, what)
		}
	}
	switch {
	case len(genuine) < chaosComplaints:
		return fmt.Sprintf("%d complaints' requests, want %d", len(genuine), chaosComplaints)
	case len(missing) > 0:
		slices.Sort(missing)
		return "no " + strings.Join(missing, ", no ")
	}
	return ""
}

// TestEachCaseSendsWhatItsIDSays runs every case against the reference
// merchant and checks, case by case, the property the id names on what the
// merchant got. Every case must have its check.
func TestEachCaseSendsWhatItsIDSays(t *testing.T) {
	checks := casesChecks()
	for _, c := range conformance.Cases() {
		if checks[c.ID] == nil {
			t.Errorf("%s has no check of what it sends: add one to casesChecks", c.ID)
		}
	}
	s := record(t)
	for id, f := range checks {
		reqs, ok := s.byCase[id]
		if !ok {
			t.Errorf("%s: did not run", id)
			continue
		}
		if p := f(reqs, s); p != "" {
			t.Errorf("%s does not send what its id says: %s", id, p)
		}
	}
}

// TestChecksCatchABlindCase: the table catches a case that stopped
// sending its hostile notification: the checks of the cases that remove an
// element refuse a valid notification that has every element (the one of
// notify/request/pictures).
func TestChecksCatchABlindCase(t *testing.T) {
	checks := casesChecks()
	f := &recorder{next: http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})}
	rep, err := conformance.Run(t.Context(), conformance.Options{Handler: f, AppID: testAppID, PaySignKey: testKey, Run: "^notify/request/pictures$"})
	if err != nil || len(rep.Results) != 1 {
		t.Fatal(err)
	}
	full := f.take()
	if len(full) != 1 {
		t.Fatalf("%d requests", len(full))
	}
	for _, id := range append(withPrefix("notify/optional/", "security/required/"), "security/signature/missing", "security/signature/empty") {
		if checks[id](full, sends{}) == "" {
			t.Errorf("%s's check passes a notification with every element", id)
		}
	}
}
