package conformance_test

import (
	"bytes"
	"context"
	"crypto/sha1"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/conformance"
	"github.com/payfeedback/payfeedback/middleware"
)

// Credentials of the merchant under test in these tests.
const (
	testAppID = "wxf8b4f85f3a794e77"
	testKey   = "L8LrMqqeGRxST5reouB0K66CaYAWpqhAVsq7ggKkxHCOastWksvuX1uvmvQclxaHoYd3ElNBrNO2DHnnzgfVG9Qs473M3DTOZug5er46FhuGofumV8H2FVR9qkjSlC5K"
)

// wrongKey is the key of the merchant that verifies with another key: not
// the suite's, and not the one of security/signature/other-key either.
const wrongKey = "wrong-key-of-a-merchant-configured-with-another-account-0123456789"

// reference is the correct merchant: the middleware in front of a
// Dispatcher whose request handler sends the user a message and marks the
// complaint handled with the payfeedback client. It must pass every case.
func reference(env conformance.APIEnv) http.Handler {
	client, err := payfeedback.NewClient(payfeedback.ClientOptions{
		AppID: env.AppID, Secret: env.Secret, BaseURL: env.BaseURL, Now: env.Now,
	})
	if err != nil {
		panic(err)
	}
	onRequest := func(ctx context.Context, n *payfeedback.Notification) error {
		msg := payfeedback.NewsMessage{Articles: []payfeedback.Article{
			{Title: "我们已收到您的投诉", Description: "客服将在24小时内联系您", URL: "https://shop.example/complaints/" + n.FeedBackID},
		}}
		if err := client.SendMessage(ctx, n.OpenID, msg); err != nil && !payfeedback.IsLimitError(err) && !payfeedback.IsInvalidInput(err) {
			return err // transient: answer 5xx, and WeChat delivers again (the kit's assumption)
		}
		if err := client.UpdateFeedback(ctx, n.OpenID, n.FeedBackID); err != nil {
			if payfeedback.IsInvalidInput(err) {
				return nil // permanent: a retry cannot help; a person looks at it
			}
			return err
		}
		return nil
	}
	noop := func(context.Context, *payfeedback.Notification) error { return nil }
	d := middleware.Dispatcher{OnRequest: onRequest, OnConfirm: noop, OnReject: noop}
	return middleware.New(middleware.Config{Keys: middleware.StaticKeys{env.AppID: env.PaySignKey}, Now: env.Now,
		SharedSignature: middleware.RefuseSharedSignature})(d) // the forged-copy cases expect a refusal
}

// mistakes are the ways a raw merchant goes wrong; the zero value is a
// merchant without mistakes.
type mistakes struct {
	notFound              bool          // answers 404 to everything (a wrong path)
	otherKey              bool          // verifies with another key than the suite's
	anySignature          bool          // never checks the AppSignature
	anyAppID              bool          // never checks the AppId
	anyTimestamp          bool          // never checks the TimeStamp's age
	trustsReplay          bool          // no memory of signatures: a replay with other fields passes
	slow                  time.Duration // answers this late
	anyMethod             bool          // accepts GET, PUT…
	lenientXML            bool          // encoding/xml in non-strict mode: DOCTYPEs and entities pass
	noSizeLimit           bool          // reads any body in full
	contentLengthOnly     bool          // bounds the body by its Content-Length header only
	answersOK             bool          // answers "OK" instead of "success"
	refusesDuplicates     bool          // answers 409 to an exact duplicate
	recordsEarly          bool          // remembers a signature from a body that never completed
	int64FeedBackID       bool          // parses FeedBackId as an int64
	refusesUnknownElement bool          // refuses elements the protocol does not define
	inventsFeedBackID     bool          // fills in a FeedBackId when the element is missing
	requiresRequestFields bool          // refuses a request without Reason, Solution or ExtInfo
	requiresSignMethod    bool          // refuses a notification without SignMethod
	unknownAsRequest      bool          // handles an unknown MsgType as a request
	failsEveryFifth       bool          // answers 503 to every fifth new notification, after recording its signature as seen
	actsOnDuplicates      bool          // acknowledges an exact duplicate, and handles it again
	shedsLoad             bool          // answers 503 with Retry-After, or 500 "queue full", to a notification that comes while it handles another; handles each once
	alwaysBusy            bool          // answers 503 with Retry-After to every notification, forever

	tokenPerCall   bool          // fetches an access_token before every call
	neverUpdates   bool          // never calls payfeedback/update
	updatesAfter   time.Duration // calls payfeedback/update this long after the notification (a later job)
	elevenArticles bool          // sends news messages of 11 articles
	remindsEarlier bool          // messages every earlier complainant on each new complaint
	keepsToken     bool          // retries with the same token after 42001
}

// rawMerchant is a merchant written by hand on net/http and the root
// package (ParseNotification, Verify) or encoding/xml, with its own API
// calls, so that each mistake can be made on purpose.
type rawMerchant struct {
	m    mistakes
	env  conformance.APIEnv
	http *http.Client

	mu    sync.Mutex
	seen  map[string][sha1.Size]byte // AppSignature → fingerprint of the fields
	dups  map[[sha1.Size]byte]bool   // fingerprints seen (duplicates)
	token string
	// fetching serialises token requests: a merchant's instances share
	// one token, and one that several goroutines renewed at once would
	// invalidate its own tokens (only the latest and the previous one
	// work), failing calls at random.
	fetching sync.Mutex
	earlier  []string        // openids of earlier complainants
	fresh    int             // notifications seen for the first time
	burnt    map[string]bool // signatures of notifications it failed (failsEveryFifth)
	inFlight atomic.Int64    // notifications being handled (shedsLoad)
	shed     atomic.Int64    // notifications shed (shedsLoad)
}

func newRaw(m mistakes) func(conformance.APIEnv) http.Handler {
	return func(env conformance.APIEnv) http.Handler {
		return &rawMerchant{m: m, env: env, http: &http.Client{Timeout: 10 * time.Second},
			seen: make(map[string][sha1.Size]byte), dups: make(map[[sha1.Size]byte]bool), burnt: make(map[string]bool)}
	}
}

func (rm *rawMerchant) now() time.Time {
	if rm.env.Now != nil {
		return rm.env.Now()
	}
	return time.Now()
}

func (rm *rawMerchant) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if rm.m.notFound {
		http.NotFound(w, r)
		return
	}
	if rm.m.slow > 0 {
		time.Sleep(rm.m.slow) // the mistake itself: a merchant that takes this long to answer
	}
	if rm.m.alwaysBusy {
		w.Header().Set("Retry-After", "60")
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if rm.m.shedsLoad {
		n := rm.inFlight.Add(1)
		defer rm.inFlight.Add(-1)
		if n > 1 {
			if rm.shed.Add(1)%2 == 0 {
				w.Header().Set("Retry-After", "20")
				http.Error(w, "busy, try again", http.StatusServiceUnavailable)
			} else {
				http.Error(w, "queue full", http.StatusInternalServerError)
			}
			return
		}
	}
	if !rm.m.anyMethod && r.Method != http.MethodPost {
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	const limit = payfeedback.MaxNotificationSize
	var body []byte
	var err error
	switch {
	case rm.m.noSizeLimit:
		body, err = io.ReadAll(r.Body)
	case rm.m.contentLengthOnly:
		if r.ContentLength > limit {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		body, err = io.ReadAll(r.Body)
	default:
		if r.ContentLength > limit {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
		body, err = io.ReadAll(io.LimitReader(r.Body, limit+1))
		if err == nil && len(body) > limit {
			http.Error(w, "too large", http.StatusRequestEntityTooLarge)
			return
		}
	}
	if err != nil {
		if rm.m.recordsEarly {
			if n := scrape(body); n.AppSignature != "" {
				rm.mu.Lock()
				rm.seen[n.AppSignature] = fingerprint(n)
				rm.mu.Unlock()
			}
		}
		http.Error(w, "incomplete body", http.StatusBadRequest)
		return
	}
	var n *payfeedback.Notification
	switch {
	case rm.m.lenientXML:
		n, err = decodeXML(body, false, rm.m)
	case rm.m.noSizeLimit || rm.m.contentLengthOnly || rm.m.inventsFeedBackID || rm.m.requiresRequestFields ||
		rm.m.requiresSignMethod || rm.m.unknownAsRequest:
		n, err = decodeXML(body, true, rm.m)
	default:
		n, err = payfeedback.ParseNotification(body)
	}
	if err == nil && rm.m.int64FeedBackID {
		_, err = strconv.ParseInt(n.FeedBackID, 10, 64)
	}
	if err == nil && rm.m.refusesUnknownElement {
		err = onlyKnownElements(body)
	}
	if err != nil {
		http.Error(w, "bad notification", http.StatusBadRequest)
		return
	}
	if !rm.m.anyAppID && n.AppID != rm.env.AppID {
		http.Error(w, "unknown AppId", http.StatusForbidden)
		return
	}
	if !rm.m.anySignature {
		key := rm.env.PaySignKey
		if rm.m.otherKey {
			key = wrongKey
		}
		if err := n.Verify(key); err != nil {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
	}
	if !rm.m.anyTimestamp {
		age := rm.now().Sub(n.Time())
		if age > 10*time.Minute || age < -time.Minute {
			http.Error(w, "stale or future TimeStamp", http.StatusUnauthorized)
			return
		}
	}
	fp := fingerprint(n)
	rm.mu.Lock()
	prev, known := rm.seen[n.AppSignature]
	dup := rm.dups[fp]
	if !rm.m.trustsReplay && known && prev != fp {
		rm.mu.Unlock()
		http.Error(w, "signature reused with other fields", http.StatusConflict)
		return
	}
	if rm.burnt[n.AppSignature] {
		rm.mu.Unlock()
		http.Error(w, "already seen", http.StatusConflict)
		return
	}
	rm.seen[n.AppSignature] = fp
	rm.dups[fp] = true
	rm.fresh++
	failNow := rm.m.failsEveryFifth && !dup && rm.fresh%5 == 0
	if failNow {
		rm.burnt[n.AppSignature] = true
	}
	rm.mu.Unlock()
	if failNow {
		http.Error(w, "busy, try again", http.StatusServiceUnavailable)
		return
	}
	if dup && rm.m.actsOnDuplicates && rm.env.BaseURL != "" {
		rm.act(r.Context(), n)
	}
	if dup {
		if rm.m.refusesDuplicates {
			http.Error(w, "duplicate", http.StatusConflict)
			return
		}
	} else if rm.env.BaseURL != "" {
		rm.act(r.Context(), n)
	}
	if rm.m.answersOK {
		io.WriteString(w, "OK")
		return
	}
	io.WriteString(w, "success")
}

// fingerprint hashes every field of n.
func fingerprint(n *payfeedback.Notification) [sha1.Size]byte {
	b, _ := json.Marshal(n)
	return sha1.Sum(b)
}

// scrape reads what elements it can from a partial body, with a regular
// expression, as a careless merchant would.
func scrape(body []byte) *payfeedback.Notification {
	re := regexp.MustCompile(`<(\w+)>(?:<!\[CDATA\[)?([^<\]]*)(?:\]\]>)?</(\w+)>`)
	v := map[string]string{}
	for _, m := range re.FindAllSubmatch(body, -1) {
		if string(m[1]) == string(m[3]) {
			v[string(m[1])] = strings.TrimSpace(string(m[2]))
		}
	}
	return &payfeedback.Notification{AppID: v["AppId"], TimeStamp: v["TimeStamp"], OpenID: v["OpenId"],
		MsgType: payfeedback.MsgType(v["MsgType"]), FeedBackID: v["FeedBackId"], TransID: v["TransId"],
		Reason: v["Reason"], Solution: v["Solution"], ExtInfo: v["ExtInfo"], AppSignature: v["AppSignature"], SignMethod: v["SignMethod"]}
}

// decodeXML decodes with encoding/xml, as most WeChat SDKs do, with the
// field mistakes of m.
func decodeXML(body []byte, strict bool, m mistakes) (*payfeedback.Notification, error) {
	var d struct {
		XMLName      xml.Name `xml:"xml"`
		AppID        string   `xml:"AppId"`
		TimeStamp    string   `xml:"TimeStamp"`
		OpenID       string   `xml:"OpenId"`
		MsgType      string   `xml:"MsgType"`
		FeedBackID   string   `xml:"FeedBackId"`
		TransID      string   `xml:"TransId"`
		Reason       string   `xml:"Reason"`
		Solution     string   `xml:"Solution"`
		ExtInfo      string   `xml:"ExtInfo"`
		AppSignature string   `xml:"AppSignature"`
		SignMethod   string   `xml:"SignMethod"`
		Pics         []string `xml:"PicInfo>item>PicUrl"`
	}
	dec := xml.NewDecoder(bytes.NewReader(body))
	dec.Strict = strict
	if err := dec.Decode(&d); err != nil {
		return nil, err
	}
	t := strings.TrimSpace
	n := &payfeedback.Notification{AppID: t(d.AppID), TimeStamp: t(d.TimeStamp), OpenID: t(d.OpenID),
		MsgType: payfeedback.MsgType(t(d.MsgType)), FeedBackID: t(d.FeedBackID), TransID: t(d.TransID),
		Reason: t(d.Reason), Solution: t(d.Solution), ExtInfo: t(d.ExtInfo), AppSignature: t(d.AppSignature), SignMethod: t(d.SignMethod)}
	for _, u := range d.Pics {
		if u = t(u); u != "" {
			n.PicURLs = append(n.PicURLs, u)
		}
	}
	if m.inventsFeedBackID && n.FeedBackID == "" {
		n.FeedBackID = "1000000000000000000"
	}
	if m.unknownAsRequest && n.MsgType != "" && !n.MsgType.Valid() {
		n.MsgType = payfeedback.MsgRequest
	}
	if m.requiresRequestFields && n.MsgType == payfeedback.MsgRequest && (n.Reason == "" || n.Solution == "" || n.ExtInfo == "") {
		return nil, fmt.Errorf("reason, solution or note missing")
	}
	if m.requiresSignMethod && n.SignMethod == "" {
		return nil, fmt.Errorf("SignMethod missing")
	}
	if n.AppID == "" || n.OpenID == "" || n.FeedBackID == "" || n.AppSignature == "" || !n.MsgType.Valid() {
		return nil, fmt.Errorf("required element missing")
	}
	if _, err := n.Unix(); err != nil {
		return nil, err
	}
	return n, nil
}

// onlyKnownElements refuses elements the protocol does not define.
func onlyKnownElements(body []byte) error {
	known := map[string]bool{"xml": true, "AppId": true, "TimeStamp": true, "OpenId": true, "MsgType": true,
		"FeedBackId": true, "TransId": true, "Reason": true, "Solution": true, "ExtInfo": true,
		"AppSignature": true, "SignMethod": true, "PicInfo": true, "item": true, "PicUrl": true}
	dec := xml.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if se, ok := tok.(xml.StartElement); ok && !known[se.Name.Local] {
			return fmt.Errorf("unknown element %s", se.Name.Local)
		}
	}
}

// act is the merchant's handling of a new notification: a customer
// message, then the update. API errors are logged by real merchants; here
// they are ignored (the notification is acknowledged all the same).
func (rm *rawMerchant) act(ctx context.Context, n *payfeedback.Notification) {
	if n.MsgType != payfeedback.MsgRequest {
		return
	}
	if rm.m.remindsEarlier {
		rm.mu.Lock()
		earlier := append([]string(nil), rm.earlier...)
		rm.mu.Unlock()
		for _, u := range earlier {
			if u != n.OpenID {
				rm.send(ctx, fmt.Sprintf(`{"touser":%q,"msgtype":"text","text":{"content":"您的投诉仍在处理中"}}`, u))
			}
		}
	}
	if rm.m.elevenArticles {
		var arts []string
		for i := range 11 {
			arts = append(arts, fmt.Sprintf(`{"title":"第%d条","description":"说明","url":"https://shop.example/%d"}`, i+1, i))
		}
		rm.send(ctx, fmt.Sprintf(`{"touser":%q,"msgtype":"news","news":{"articles":[%s]}}`, n.OpenID, strings.Join(arts, ",")))
	} else {
		rm.send(ctx, fmt.Sprintf(`{"touser":%q,"msgtype":"text","text":{"content":"我们已收到您的投诉"}}`, n.OpenID))
	}
	q := url.Values{"openid": {n.OpenID}, "feedbackid": {n.FeedBackID}}
	switch {
	case rm.m.neverUpdates:
	case rm.m.updatesAfter > 0:
		rm.env.AfterFunc(rm.m.updatesAfter, func() {
			rm.call(context.Background(), http.MethodGet, "/payfeedback/update", q, nil)
		})
	default:
		rm.call(ctx, http.MethodGet, "/payfeedback/update", q, nil)
	}
	rm.mu.Lock()
	if !contains(rm.earlier, n.OpenID) {
		rm.earlier = append(rm.earlier, n.OpenID)
	}
	rm.mu.Unlock()
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func (rm *rawMerchant) send(ctx context.Context, body string) {
	rm.call(ctx, http.MethodPost, "/cgi-bin/message/custom/send", url.Values{}, []byte(body))
}

// call makes an API call with the merchant's token, and on a token error
// fetches a new one and tries once more (unless keepsToken).
func (rm *rawMerchant) call(ctx context.Context, method, path string, q url.Values, body []byte) {
	tok := rm.currentToken(ctx, "", rm.m.tokenPerCall)
	code := rm.do(ctx, method, path, q, body, tok)
	if code == int(payfeedback.CodeTokenExpired) || code == int(payfeedback.CodeInvalidCredential) {
		if !rm.m.keepsToken {
			tok = rm.currentToken(ctx, tok, rm.m.tokenPerCall)
		}
		rm.do(ctx, method, path, q, body, tok)
	}
}

func (rm *rawMerchant) do(ctx context.Context, method, path string, q url.Values, body []byte, tok string) int {
	q.Set("access_token", tok)
	req, err := http.NewRequestWithContext(ctx, method, rm.env.BaseURL+path+"?"+q.Encode(), bytes.NewReader(body))
	if err != nil {
		return -1
	}
	resp, err := rm.http.Do(req)
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	var out struct {
		ErrCode int `json:"errcode"`
	}
	err = json.NewDecoder(resp.Body).Decode(&out)
	_, _ = io.Copy(io.Discard, resp.Body) // so that the connection is reused
	if err != nil {
		return -1
	}
	return out.ErrCode
}

// currentToken returns the cached token unless it is stale (WeChat
// refused it), fetching one when there is none; perCall fetches a new one
// every time (the tokenPerCall mistake).
func (rm *rawMerchant) currentToken(ctx context.Context, stale string, perCall bool) string {
	if !perCall {
		rm.fetching.Lock()
		defer rm.fetching.Unlock()
	}
	rm.mu.Lock()
	tok := rm.token
	rm.mu.Unlock()
	if tok != "" && tok != stale && !perCall {
		return tok
	}
	q := url.Values{"grant_type": {"client_credential"}, "appid": {rm.env.AppID}, "secret": {rm.env.Secret}}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rm.env.BaseURL+"/cgi-bin/token?"+q.Encode(), nil)
	if err != nil {
		return ""
	}
	resp, err := rm.http.Do(req)
	if err != nil {
		return ""
	}
	defer resp.Body.Close()
	var out struct {
		AccessToken string `json:"access_token"`
	}
	if json.NewDecoder(resp.Body).Decode(&out) != nil {
		return ""
	}
	rm.mu.Lock()
	rm.token = out.AccessToken
	rm.mu.Unlock()
	return out.AccessToken
}
