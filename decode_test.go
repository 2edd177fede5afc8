package payfeedback

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/google/go-cmp/cmp"
	"github.com/payfeedback/payfeedback/internal/golden"
	"github.com/payfeedback/payfeedback/internal/race"
)

const (
	samplesDir = "testdata/notifications"
	hostileDir = "testdata/hostile"
)

// checkInvariants asserts what every decoded notification guarantees.
func checkInvariants(t testing.TB, n *Notification) {
	t.Helper()
	required := map[string]string{
		"AppId": n.AppID, "TimeStamp": n.TimeStamp, "OpenId": n.OpenID,
		"MsgType": string(n.MsgType), "FeedBackId": n.FeedBackID, "AppSignature": n.AppSignature,
	}
	for name, v := range required {
		if v == "" {
			t.Errorf("decoded notification has an empty %s", name)
		}
	}
	if !n.MsgType.Valid() {
		t.Errorf("decoded MsgType %q is not valid", n.MsgType)
	}
	if _, err := n.Unix(); err != nil {
		t.Errorf("decoded TimeStamp %q: %v", n.TimeStamp, err)
	}
	values := []string{n.AppID, n.TimeStamp, n.OpenID, string(n.MsgType), n.FeedBackID, n.TransID,
		n.Reason, n.Solution, n.ExtInfo, n.AppSignature, n.SignMethod}
	values = append(values, n.PicURLs...)
	for _, v := range values {
		if trimXMLSpace(v) != v {
			t.Errorf("decoded value %q is not trimmed", v)
		}
	}
	for i, u := range n.PicURLs {
		if u == "" {
			t.Errorf("decoded PicURLs[%d] is empty", i)
		}
	}
	if n.PicURLs != nil && len(n.PicURLs) == 0 {
		t.Errorf("decoded PicURLs is empty but not nil")
	}
}

// TestDecodeGolden decodes every sample of testdata/notifications and
// compares the result with NAME.golden.json. Both decoders must agree.
func TestDecodeGolden(t *testing.T) {
	samples := testFiles(t, samplesDir, ".xml")
	if len(samples) < 30 {
		t.Fatalf("found %d samples in %s, want at least 30", len(samples), samplesDir)
	}
	for name := range testFiles(t, samplesDir, ".golden.json") {
		if _, ok := samples[name]; !ok && !golden.Updating() {
			t.Errorf("golden file %s.golden.json has no sample %s.xml", name, name)
		}
	}
	for _, name := range sortedKeys(samples) {
		t.Run(name, func(t *testing.T) {
			body := readSample(t, name)
			n, err := ParseNotification(body)
			if err != nil {
				t.Fatalf("ParseNotification: %v", err)
			}
			checkInvariants(t, n)
			got, err := json.MarshalIndent(n, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join(samplesDir, name+".golden.json"), append(got, '\n'))

			ref, err := parseNotification(body, false)
			if err != nil {
				t.Fatalf("reference decoder refuses what ParseNotification accepts: %v", err)
			}
			if diff := cmp.Diff(ref, n); diff != "" {
				t.Errorf("ParseNotification and the reference decoder differ (-reference +ParseNotification):\n%s", diff)
			}
		})
	}
}

// TestDecodeSamples checks facts of particular samples by hand, so the
// golden files are not the only judge.
func TestDecodeSamples(t *testing.T) {
	tests := []struct {
		sample string
		check  func(*Notification) error
	}{
		{"request_protocol_sample", func(n *Notification) error {
			want := Notification{
				AppID: "wwwwb4f85f3a797777", TimeStamp: "1369743511", OpenID: "111222", MsgType: MsgRequest,
				FeedBackID: "5883726847655944563", TransID: "10123312412321435345",
				Reason: "商品质量有问题", Solution: "补发货给我", ExtInfo: "明天六点前联系我 18610847266",
				AppSignature: "bafe07f060f22dcda0bfdb4b5ff756f973aafd0c", SignMethod: "sha1",
				PicURLs: []string{"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0"},
			}
			return diffErr(want, *n)
		}},
		{"request_timestamp_leading_space", func(n *Notification) error {
			return wantEq("TimeStamp", n.TimeStamp, "1369743511")
		}},
		{"request_feedbackid_over_int64", func(n *Notification) error {
			return wantEq("FeedBackId", n.FeedBackID, "13275936403980775178")
		}},
		{"confirm_plain", func(n *Notification) error {
			return errors.Join(wantEq("FeedBackId", n.FeedBackID, "13275936403980775178"),
				wantEq("MsgType", string(n.MsgType), "confirm"), wantEq("TransId", n.TransID, ""))
		}},
		{"request_seven_pictures", func(n *Notification) error {
			return wantEq("pictures", fmt.Sprint(len(n.PicURLs)), "7")
		}},
		{"request_empty_picurl_slots", func(n *Notification) error {
			return diffErr([]string{"http://mmbiz.qpic.cn/mmbiz/second/0"}, n.PicURLs)
		}},
		{"request_no_pictures", func(n *Notification) error {
			return errors.Join(diffErr([]string(nil), n.PicURLs), wantEq("ExtInfo", n.ExtInfo, ""))
		}},
		{"request_sha1_uppercase", func(n *Notification) error {
			return errors.Join(wantEq("SignMethod", n.SignMethod, "SHA1"), n.Verify(testKey))
		}},
		{"request_no_transid", func(n *Notification) error {
			// TransId is optional (否) in every MsgType, requests included.
			return errors.Join(wantEq("MsgType", string(n.MsgType), "request"), wantEq("TransId", n.TransID, ""), n.Verify(testKey))
		}},
		{"request_no_signmethod", func(n *Notification) error {
			return errors.Join(wantEq("SignMethod", n.SignMethod, ""), n.Verify(testKey))
		}},
		{"request_whitespace_newlines", func(n *Notification) error {
			return errors.Join(
				wantEq("MsgType", string(n.MsgType), "request"),
				wantEq("AppId", n.AppID, "wxf8b4f85f3a794e77"),
				wantEq("Reason", n.Reason, "商品质量有问题"),
				wantEq("ExtInfo", n.ExtInfo, "第一行\n第二行 13800138000"),
				wantEq("SignMethod", n.SignMethod, "sha1"),
				diffErr([]string{"http://mmbiz.qpic.cn/mmbiz/ws/0"}, n.PicURLs))
		}},
		{"request_comments_and_entities", func(n *Notification) error {
			return errors.Join(wantEq("Reason", n.Reason, "质量 & 包装 <差>"),
				wantEq("Solution", n.Solution, "退款"), wantEq("ExtInfo", n.ExtInfo, "电话 13800138000"))
		}},
		{"request_split_cdata", func(n *Notification) error {
			return errors.Join(wantEq("Solution", n.Solution, "a]]>b"),
				wantEq("ExtInfo", n.ExtInfo, "明天六点前联系我 18610847266"))
		}},
		{"request_self_closing_optional", func(n *Notification) error {
			return errors.Join(wantEq("Solution", n.Solution, ""), wantEq("ExtInfo", n.ExtInfo, ""))
		}},
		{"reject_with_transid_solution_extinfo", func(n *Notification) error {
			return errors.Join(wantEq("MsgType", string(n.MsgType), "reject"),
				wantEq("TransId", n.TransID, "10123312412321435345"), wantEq("Solution", n.Solution, "补发货给我"),
				wantEq("ExtInfo", n.ExtInfo, "商家未处理 18610847266"))
		}},
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			n, err := ParseNotification(readSample(t, tt.sample))
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.check(n); err != nil {
				t.Error(err)
			}
		})
	}
}

func wantEq(what, got, want string) error {
	if got != want {
		return fmt.Errorf("%s = %q, want %q", what, got, want)
	}
	return nil
}

func diffErr(want, got any) error {
	if diff := cmp.Diff(want, got); diff != "" {
		return fmt.Errorf("(-want +got):\n%s", diff)
	}
	return nil
}

// TestDecodeEquivalentShapes: the published quirks of the same
// notification decode exactly as the plain CDATA sample does.
func TestDecodeEquivalentShapes(t *testing.T) {
	want, err := ParseNotification(readSample(t, "request_cdata_signed"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{
		"request_timestamp_leading_space", "request_crlf", "request_xml_declaration", "request_bom",
		"request_bom_no_declaration", "request_unknown_elements", "request_single_line",
		"request_repeated_same_value",
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseNotification(readSample(t, name))
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("(-request_cdata_signed +%s):\n%s", name, diff)
			}
		})
	}
}

// TestVerifyCorpus: every sample but the verbatim protocol sample (signed
// with an unknown key) verifies with the test key.
func TestVerifyCorpus(t *testing.T) {
	for _, name := range sortedKeys(testFiles(t, samplesDir, ".xml")) {
		n, err := ParseNotification(readSample(t, name))
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		key := testKey
		if name == "confirm_minimal" {
			key = "k" // the key of the vector "one-char key, zero timestamp"
		}
		err = n.Verify(key)
		if name == "request_protocol_sample" {
			if !errors.Is(err, ErrBadSignature) {
				t.Errorf("%s: Verify = %v, want ErrBadSignature (signed with an unpublished key)", name, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%s: Verify: %v", name, err)
		}
	}
}

// decodeSentinels names the decoding sentinel errors as written in the
// hostile corpus's .err files.
var decodeSentinels = map[string]error{
	"ErrMalformed":          ErrMalformed,
	"ErrNotXMLRoot":         ErrNotXMLRoot,
	"ErrDOCTYPE":            ErrDOCTYPE,
	"ErrMissingElement":     ErrMissingElement,
	"ErrBadTimestamp":       ErrBadTimestamp,
	"ErrUnknownMsgType":     ErrUnknownMsgType,
	"ErrConflictingElement": ErrConflictingElement,
	"ErrTooLarge":           ErrTooLarge,
}

func sentinelName(err error) string {
	for name, s := range decodeSentinels {
		if errors.Is(err, s) {
			return name
		}
	}
	return "?"
}

// generatedHostile are the hostile inputs too large to commit: the test
// builds them. Each has its NAME.err in testdata/hostile like the others.
func generatedHostile() map[string][]byte {
	signed := func(extInfo string) []byte {
		return []byte("<xml><OpenId>111222</OpenId><AppId>wwwwb4f85f3a797777</AppId><TimeStamp>1369743511</TimeStamp>" +
			"<MsgType>request</MsgType><FeedBackId>1</FeedBackId><TransId>2</TransId>" +
			"<AppSignature>b7668c176391109dffe9ae5e895948f433f84fed</AppSignature><ExtInfo>" + extInfo + "</ExtInfo></xml>")
	}
	overhead := len(signed(""))
	return map[string][]byte{
		// 10,000 nested elements, left open (closing them would pass 64 KiB).
		"gen_deep_nesting_10000_open": []byte("<xml>" + strings.Repeat("<a>", 10000)),
		// 9,000 nested elements, closed: 63 KiB, under the size bound.
		"gen_deep_nesting_9000_closed": []byte("<xml>" + strings.Repeat("<a>", 9000) + strings.Repeat("</a>", 9000) + "</xml>"),
		// A valid notification one byte over MaxNotificationSize.
		"gen_body_over_64KiB": signed(strings.Repeat("x", MaxNotificationSize+1-overhead)),
		// A 1 MiB value.
		"gen_body_1MiB": signed(strings.Repeat("电话", 1<<20/6)),
		// 21,000 references to an undefined entity, just under the bound.
		"gen_many_entity_refs": []byte("<xml><Reason>" + strings.Repeat("&e;", 21000) + "</Reason></xml>"),
	}
}

// TestDecodeHostile feeds the hostile corpus (testdata/hostile/NAME.xml and
// the generated inputs) and compares each error with NAME.err: first line
// the sentinel class (tested with errors.Is), second line the message.
func TestDecodeHostile(t *testing.T) {
	inputs := map[string][]byte{}
	for name, path := range testFiles(t, hostileDir, ".xml") {
		body, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		inputs[name] = body
	}
	for name, body := range generatedHostile() {
		if _, dup := inputs[name]; dup {
			t.Fatalf("generated input %s is also committed", name)
		}
		inputs[name] = body
	}
	if len(inputs) < 45 {
		t.Fatalf("found %d hostile inputs, want at least 45", len(inputs))
	}
	for name := range testFiles(t, hostileDir, ".err") {
		if _, ok := inputs[name]; !ok && !golden.Updating() {
			t.Errorf("%s.err has no input", name)
		}
	}
	for _, name := range sortedKeys(inputs) {
		t.Run(name, func(t *testing.T) {
			body := inputs[name]
			n, err := ParseNotification(body)
			if err == nil {
				t.Fatalf("ParseNotification accepted a hostile body: %+v", n)
			}
			var de *DecodeError
			if !errors.As(err, &de) {
				t.Fatalf("error %T (%v) is not a *DecodeError", err, err)
			}
			class := sentinelName(err)
			if class == "?" {
				t.Fatalf("error %v wraps no decoding sentinel", err)
			}
			if len(err.Error()) > 200 {
				t.Errorf("error message is %d bytes long: a hostile body must not be echoed", len(err.Error()))
			}
			_, refErr := parseNotification(body, false)
			if refErr == nil || refErr.Error() != err.Error() {
				t.Errorf("reference decoder says %v, ParseNotification says %v", refErr, err)
			}

			// The .err file holds the sentinel's name, then the message.
			golden.Check(t, filepath.Join(hostileDir, name+".err"), []byte(class+"\n"+err.Error()+"\n"))
		})
	}
}

// TestDecodeLimits: bodies at the limits are accepted, one step past them
// refused.
func TestDecodeLimits(t *testing.T) {
	doc := func(inner string) []byte {
		return []byte("<xml><OpenId>111222</OpenId><AppId>wwwwb4f85f3a797777</AppId><TimeStamp>1369743511</TimeStamp>" +
			"<MsgType>confirm</MsgType><FeedBackId>1</FeedBackId>" +
			"<AppSignature>b7668c176391109dffe9ae5e895948f433f84fed</AppSignature>" + inner + "</xml>")
	}
	pad := func(total int) []byte {
		overhead := len(doc("<ExtInfo></ExtInfo>"))
		return doc("<ExtInfo>" + strings.Repeat("y", total-overhead) + "</ExtInfo>")
	}
	nest := func(levels int) []byte {
		return doc(strings.Repeat("<a>", levels) + strings.Repeat("</a>", levels))
	}
	tests := []struct {
		name string
		body []byte
		want error
	}{
		{"exactly MaxNotificationSize", pad(MaxNotificationSize), nil},
		{"MaxNotificationSize+1", pad(MaxNotificationSize + 1), ErrTooLarge},
		{"BOM included, exactly MaxNotificationSize", append([]byte("\xEF\xBB\xBF"), pad(MaxNotificationSize-3)...), nil},
		{"depth exactly MaxDepth", nest(MaxDepth - 1), nil},
		{"depth MaxDepth+1", nest(MaxDepth), ErrMalformed},
		{"TimeStamp of 19 digits", []byte(strings.Replace(string(doc("")), "1369743511", "9223372036854775807", 1)), nil},
		// The document allows "32 characters or less": a TimeStamp past
		// int64 is well-formed, and left to the freshness check.
		{"TimeStamp past int64", []byte(strings.Replace(string(doc("")), "1369743511", "9223372036854775808", 1)), nil},
		{"TimeStamp of 20 digits", []byte(strings.Replace(string(doc("")), "1369743511", "00000000001369743511", 1)), nil},
		{"TimeStamp of 32 digits", []byte(strings.Replace(string(doc("")), "1369743511", strings.Repeat("9", 32), 1)), nil},
		{"TimeStamp of 33 digits", []byte(strings.Replace(string(doc("")), "1369743511", strings.Repeat("0", 23)+"1369743511", 1)), ErrBadTimestamp},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseNotification(tt.body)
			if tt.want == nil && err != nil || !errors.Is(err, tt.want) {
				t.Errorf("ParseNotification(%d bytes) = %v, want %v", len(tt.body), err, tt.want)
			}
		})
	}
}

// TestRoundTrip: over the whole corpus, decode → encode → decode is the
// identity, and what the encoder writes takes the fast path.
func TestRoundTrip(t *testing.T) {
	for _, name := range sortedKeys(testFiles(t, samplesDir, ".xml")) {
		t.Run(name, func(t *testing.T) {
			n1, err := ParseNotification(readSample(t, name))
			if err != nil {
				t.Fatal(err)
			}
			enc, err := n1.Encode()
			if err != nil {
				t.Fatalf("Encode: %v", err)
			}
			n2, err := ParseNotification(enc)
			if err != nil {
				t.Fatalf("decoding the encoded notification: %v\n%s", err, enc)
			}
			if diff := cmp.Diff(n1, n2); diff != "" {
				t.Errorf("decode(encode(n)) != n (-n +decoded):\n%s", diff)
			}
			// Values split around "]]>" or CR are left to the reference
			// decoder; everything else Encode writes takes the fast path.
			split := strings.Contains(string(enc), "]]><![CDATA[") || strings.Contains(string(enc), "&#13;")
			var sc scanned
			if !split && !scanNotification(string(enc), &sc) {
				t.Errorf("the fast scanner declines what Encode writes:\n%s", enc)
			}
		})
	}
}

// TestFastPathTakesWeChatShapes: the shapes WeChat sends are decoded by the
// scanner, not handed to the (10× slower) reference decoder.
func TestFastPathTakesWeChatShapes(t *testing.T) {
	for _, name := range []string{
		"request_protocol_sample", "request_cdata_signed", "request_plain", "request_no_pictures",
		"request_five_pictures", "request_seven_pictures", "request_timestamp_leading_space",
		"request_picinfo_before_signmethod", "request_element_order", "request_whitespace_newlines",
		"request_xml_declaration", "request_bom", "request_crlf", "request_sha1_uppercase", "request_feedbackid_over_int64",
		"request_repeated_same_value", "request_single_line",
		"confirm_cdata", "confirm_plain", "confirm_minimal", "reject_cdata", "reject_plain",
		"reject_with_transid_solution_extinfo",
	} {
		body := readSample(t, name)
		body = stripBOM(body)
		var sc scanned
		if !scanNotification(string(body), &sc) {
			t.Errorf("%s: the fast scanner declines it", name)
		}
	}
}

func TestNotificationTime(t *testing.T) {
	tests := []struct {
		ts      string
		want    int64
		wantErr bool
	}{
		{"1369743511", 1369743511, false},
		{"0", 0, false},
		{"9223372036854775807", 9223372036854775807, false},
		{"", 0, true},
		{" 1", 0, true},
		{"-1", 0, true},
		{"+1", 0, true},
		{"1e9", 0, true},
		// Past int64 (up to 32 digits): saturates, later than any clock.
		{"9223372036854775808", math.MaxInt64, false},
		{"12345678901234567890", math.MaxInt64, false},
		{"99999999999999999999999999999999", math.MaxInt64, false},
		{"00000000000000000000001369743511", 1369743511, false},
		{"000000000000000000000001369743511", 0, true},
	}
	for _, tt := range tests {
		n := &Notification{TimeStamp: tt.ts}
		got, err := n.Unix()
		if tt.wantErr {
			if !errors.Is(err, ErrBadTimestamp) {
				t.Errorf("Unix(%q) error = %v, want ErrBadTimestamp", tt.ts, err)
			}
			if !n.Time().IsZero() {
				t.Errorf("Time(%q) = %v, want the zero Time", tt.ts, n.Time())
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("Unix(%q) = %d, %v; want %d", tt.ts, got, err, tt.want)
		}
		if n.Time().Unix() != tt.want {
			t.Errorf("Time(%q).Unix() = %d, want %d", tt.ts, n.Time().Unix(), tt.want)
		}
	}
}

func TestMsgTypeValid(t *testing.T) {
	for _, tt := range []struct {
		t    MsgType
		want bool
	}{
		{MsgRequest, true}, {MsgConfirm, true}, {MsgReject, true},
		{"", false}, {"Request", false}, {"refund", false}, {"request ", false},
	} {
		if got := tt.t.Valid(); got != tt.want {
			t.Errorf("MsgType(%q).Valid() = %v, want %v", tt.t, got, tt.want)
		}
	}
}

func TestDecodeErrorMessage(t *testing.T) {
	tests := []struct {
		err  *DecodeError
		want string
	}{
		{&DecodeError{Err: ErrTooLarge}, "payfeedback: notification too large"},
		{&DecodeError{Err: ErrMissingElement, Element: "AppId"}, "payfeedback: required element missing: <AppId>"},
		{&DecodeError{Err: ErrMalformed, Detail: "unexpected end of document"}, "payfeedback: malformed XML: unexpected end of document"},
		{&DecodeError{Err: ErrBadTimestamp, Element: "TimeStamp", Detail: "want decimal digits only"},
			"payfeedback: TimeStamp is not Unix seconds in 1 to 32 decimal digits: <TimeStamp>: want decimal digits only"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("Error() = %q, want %q", got, tt.want)
		}
		if !errors.Is(tt.err, tt.err.Err) || errors.Unwrap(tt.err) != tt.err.Err {
			t.Errorf("%v does not unwrap to its sentinel", tt.err)
		}
	}
}

// TestDecodeDoesNotAliasInput: the scanner reads the body in place, so the
// decoded values must be copies: scribbling over the body after decoding
// changes nothing.
func TestDecodeDoesNotAliasInput(t *testing.T) {
	bodies := map[string][]byte{}
	for name := range testFiles(t, samplesDir, ".xml") {
		bodies[name] = readSample(t, name)
	}
	big := strings.Repeat("长", 3000)
	bodies["long values"] = []byte(strings.Replace(string(readSample(t, "request_cdata_signed")),
		"明天六点前联系我 18610847266", big, 1))
	bodies["pictures beyond MaxPictures"] = readSample(t, "request_seven_pictures")
	for _, name := range sortedKeys(bodies) {
		body := append([]byte(nil), bodies[name]...)
		got, err := ParseNotification(body)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for i := range body {
			body[i] = 'X'
		}
		want, err := ParseNotification(bodies[name])
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("%s: the decoded notification changed with its body (-want +got):\n%s", name, diff)
		}
		// ParseNotificationInto aliases the body; Clone copies out of it.
		body = append(body[:0], bodies[name]...)
		var into Notification
		if err := ParseNotificationInto(&into, body); err != nil {
			t.Fatalf("%s: ParseNotificationInto: %v", name, err)
		}
		kept := into.Clone()
		for i := range body {
			body[i] = 'X'
		}
		if diff := cmp.Diff(want, kept); diff != "" {
			t.Errorf("%s: the Clone of a notification decoded in place changed with its body (-want +got):\n%s", name, diff)
		}
	}
	n, err := ParseNotification(bodies["long values"])
	if err != nil || n.ExtInfo != big {
		t.Errorf("a long value was not kept whole (%d bytes, %v)", len(n.ExtInfo), err)
	}
}

// TestParseAllocs: decoding and verifying the usual notification allocates
// once, the Notification with its pictures and the bytes of its values in
// one block (docs/performance.md allows two). Allocation counts are not
// timings: they do not vary with the machine.
func TestParseAllocs(t *testing.T) {
	for _, name := range []string{"request_cdata_signed", "request_plain", "confirm_plain", "request_five_pictures"} {
		body := readSample(t, name)
		allocs := testing.AllocsPerRun(100, func() {
			n, err := ParseNotification(body)
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Verify(testKey); err != nil {
				t.Fatal(err)
			}
		})
		if allocs != 1 {
			t.Errorf("%s: ParseNotification + Verify allocates %v times, want 1", name, allocs)
		}
		var n Notification
		allocs = testing.AllocsPerRun(100, func() {
			if err := ParseNotificationInto(&n, body); err != nil {
				t.Fatal(err)
			}
			if err := n.Verify(testKey); err != nil {
				t.Fatal(err)
			}
		})
		if allocs > 0 {
			t.Errorf("%s: ParseNotificationInto + Verify allocates %v times, want none (dst's pictures reused)", name, allocs)
		}
	}
}

// TestParseNotificationInto: decoding in place gives what
// ParseNotification gives, reuses dst's pictures, and leaves dst zero
// after a refusal.
func TestParseNotificationInto(t *testing.T) {
	five := readSample(t, "request_five_pictures")
	var n Notification
	if err := ParseNotificationInto(&n, five); err != nil {
		t.Fatal(err)
	}
	want, err := ParseNotification(five)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, &n); diff != "" {
		t.Fatalf("(-ParseNotification +ParseNotificationInto):\n%s", diff)
	}
	array := &n.PicURLs[0]
	if err := ParseNotificationInto(&n, five); err != nil || &n.PicURLs[0] != array {
		t.Errorf("the pictures' array was not reused (%v)", err)
	}
	if err := ParseNotificationInto(&n, []byte("<xml><AppId>a</AppId></xml>")); !errors.Is(err, ErrMissingElement) {
		t.Fatalf("error %v, want ErrMissingElement", err)
	}
	if diff := cmp.Diff(Notification{}, n); diff != "" {
		t.Errorf("dst after a refusal is not zero:\n%s", diff)
	}
	if err := ParseNotificationInto(&n, bytes.Repeat([]byte(" "), MaxNotificationSize+1)); !errors.Is(err, ErrTooLarge) {
		t.Errorf("error %v, want ErrTooLarge", err)
	}
}

func TestLookupField(t *testing.T) {
	for f := range numFields {
		got, ok := lookupField(f.String())
		if !ok || got != f {
			t.Errorf("lookupField(%q) = %v, %v", f.String(), got, ok)
		}
	}
	for _, name := range []string{"", "PicInfo", "appid", "AppID", "APPID", "OpenID", "Reasons", "Msgtype", "XsgType",
		"TransID", "ExtInfO", "Solutio", "Timestamp", "FeedbackId", "SignMethoD", "AppSignaturE", "item", "PicUrl", "xml"} {
		if f, ok := lookupField(name); ok {
			t.Errorf("lookupField(%q) = %v, want unknown", name, f)
		}
	}
}

// TestFieldTag: the literal start tags match exactly the protocol's text
// elements and read nothing otherwise.
func TestFieldTag(t *testing.T) {
	for f := range numFields {
		for _, rest := range []string{"", "x", "</" + f.String() + ">"} {
			sc := scanner{s: "<" + f.String() + ">" + rest}
			got, ok := sc.fieldTag()
			if !ok || got != f || sc.i != len(f.String())+2 {
				t.Errorf("fieldTag(<%s>) = %v, %v at %d", f, got, ok, sc.i)
			}
		}
	}
	for _, in := range []string{"", "<", "<A", "<AppId", "<AppId/>", "<AppId x>", "<AppIdx>", "<appid>", "<PicInfo>",
		"<Appsignature>", "<TimeStamp >", "AppId>", " <AppId>", "<Unknown>"} {
		sc := scanner{s: in}
		if f, ok := sc.fieldTag(); ok || sc.i != 0 {
			t.Errorf("fieldTag(%q) = %v, %v at %d, want no match", in, f, ok, sc.i)
		}
	}
}

// TestClone: a Clone equals its original and shares no memory with it,
// for a Notification built by hand too, however many pictures it has.
func TestClone(t *testing.T) {
	var pics []string
	for i := range 20 {
		pics = append(pics, "http://x/"+strconv.Itoa(i))
	}
	tests := map[string]*Notification{
		"empty": {},
		"by hand": {AppID: "wx1", TimeStamp: "1", OpenID: "o", MsgType: "other", FeedBackID: "f", Reason: "长",
			SignMethod: "SHA1", AppSignature: "s", PicURLs: pics},
		"protocol words": {MsgType: MsgConfirm, SignMethod: SignMethodSHA1, PicURLs: []string{"p"}},
	}
	for name, n := range tests {
		c := n.Clone()
		if diff := cmp.Diff(n, c); diff != "" {
			t.Errorf("%s: (-original +clone):\n%s", name, diff)
		}
		var vals, cvals [numFields]string
		n.values(&vals)
		c.values(&cvals)
		for f := range vals {
			if _, word := protocolWord(field(f), vals[f]); len(vals[f]) > 0 && !word && unsafe.StringData(vals[f]) == unsafe.StringData(cvals[f]) {
				t.Errorf("%s: the clone's %v shares the original's bytes", name, field(f))
			}
		}
		for i := range n.PicURLs {
			if unsafe.StringData(n.PicURLs[i]) == unsafe.StringData(c.PicURLs[i]) {
				t.Errorf("%s: the clone's picture %d shares the original's bytes", name, i)
			}
		}
	}
}

// TestOwn: a notification decoded in place and then Own'd keeps its values
// once the body is overwritten, equal to what ParseNotification gives;
// Own allocates once, keeps the PicURLs array, and shares no value's bytes
// with the body.
func TestOwn(t *testing.T) {
	for _, name := range []string{"request_cdata_signed", "request_plain", "confirm_plain", "request_five_pictures", "request_seven_pictures"} {
		t.Run(name, func(t *testing.T) {
			sample := readSample(t, name)
			want, err := ParseNotification(sample)
			if err != nil {
				t.Fatal(err)
			}
			body := bytes.Clone(sample)
			var n Notification
			if err := ParseNotificationInto(&n, body); err != nil {
				t.Fatal(err)
			}
			var array *string
			if len(n.PicURLs) > 0 {
				array = &n.PicURLs[0]
			}
			n.Own()
			if len(n.PicURLs) > 0 && &n.PicURLs[0] != array {
				t.Error("Own moved PicURLs to a new array")
			}
			clear(body) // the buffer's next use
			if diff := cmp.Diff(want, &n); diff != "" {
				t.Errorf("after the body was overwritten (-ParseNotification +Own):\n%s", diff)
			}
			if err := n.Verify(testKey); name == "request_cdata_signed" && err != nil {
				t.Errorf("Verify after Own: %v", err)
			}
			allocs := testing.AllocsPerRun(100, func() {
				if err := ParseNotificationInto(&n, sample); err != nil {
					t.Fatal(err)
				}
				n.Own()
			})
			if allocs != 1 {
				t.Errorf("ParseNotificationInto + Own allocates %v times, want 1", allocs)
			}
			if name != "request_cdata_signed" || race.Enabled {
				return
			}
			// Its 261 bytes of text, 11 of them protocol words, which Own
			// does not copy: 250 bytes, the 256-byte size class.
			var ns [100]Notification
			if got := bytesPer(t, len(ns), func(i int) {
				if err := ParseNotificationInto(&ns[i], sample); err != nil {
					t.Fatal(err)
				}
				ns[i].Own()
			}); got != 256 {
				t.Errorf("ParseNotificationInto + Own allocates %d bytes, want 256 (the text but the protocol's words)", got)
			}
		})
	}
}

// TestParseBlocks: ParseNotification puts a notification, its pictures and
// its text in one of three blocks by the text's size, each filling one of
// the allocator's size classes, and in two allocations beyond the largest.
// At each block's edge the values are whole and share nothing with the
// body.
func TestParseBlocks(t *testing.T) {
	sample := string(readSample(t, "request_cdata_signed"))
	const note = "明天六点前联系我 18610847266"
	base, err := ParseNotification([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	var vals [numFields]string
	base.values(&vals)
	others := textSize(&vals, base.PicURLs) - len(note) // the text but ExtInfo
	small := len(smallBlock{}.text)
	middle := len(middleBlock{}.text)
	large := len(largeBlock{}.text)
	tests := []struct {
		text   int // textSize of the body
		allocs float64
		bytes  uint64 // allocated a parse
	}{
		{small, 1, 576},
		{small + 1, 1, 1024},
		{middle, 1, 1024},
		{middle + 1, 1, 2048},
		{large, 1, 2048},
		{large + 1, 2, 0}, // the Notification's block and the text apart
	}
	for _, tt := range tests {
		t.Run(strconv.Itoa(tt.text), func(t *testing.T) {
			ext := strings.Repeat("a", tt.text-others)
			body := []byte(strings.Replace(sample, note, ext, 1))
			n, err := ParseNotification(body)
			if err != nil {
				t.Fatal(err)
			}
			clear(body)
			n.values(&vals)
			if got := textSize(&vals, n.PicURLs); got != tt.text || n.ExtInfo != ext {
				t.Fatalf("the body's text is %d bytes, ExtInfo %d; want %d and %d", got, len(n.ExtInfo), tt.text, len(ext))
			}
			want := *base
			want.ExtInfo = ext
			if diff := cmp.Diff(&want, n); diff != "" {
				t.Errorf("after the body was overwritten (-want +got):\n%s", diff)
			}
			body = []byte(strings.Replace(sample, note, ext, 1))
			if allocs := testing.AllocsPerRun(20, func() {
				if _, err := ParseNotification(body); err != nil {
					t.Fatal(err)
				}
			}); allocs != tt.allocs {
				t.Errorf("ParseNotification allocates %v times, want %v", allocs, tt.allocs)
			}
			if tt.bytes == 0 || race.Enabled {
				return // the race detector's allocator pads objects
			}
			if got := bytesPerParse(t, body); got != tt.bytes {
				t.Errorf("ParseNotification allocates %d bytes, want %d (the block no longer fills its size class: see blockHeader)", got, tt.bytes)
			}
		})
	}
}

// bytesPerParse is what ParseNotification of body allocates, in bytes.
func bytesPerParse(t *testing.T, body []byte) uint64 {
	t.Helper()
	var keep [100]*Notification
	return bytesPer(t, len(keep), func(i int) {
		n, err := ParseNotification(body)
		if err != nil {
			t.Fatal(err)
		}
		keep[i] = n
	})
}

// bytesPer is what f allocates a call, in bytes: the least of three
// measures of n calls f(0) … f(n-1) (nothing else in the package's tests
// runs beside it, but the runtime may allocate).
func bytesPer(t *testing.T, n int, f func(i int)) uint64 {
	t.Helper()
	least := uint64(math.MaxUint64)
	for range 3 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		for i := range n {
			f(i)
		}
		runtime.ReadMemStats(&after)
		least = min(least, (after.TotalAlloc-before.TotalAlloc)/uint64(n))
	}
	return least
}
