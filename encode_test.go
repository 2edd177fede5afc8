package payfeedback

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestEncodeShape: Encode writes what WeChat writes — root <xml>, one
// element a line, CDATA strings, TimeStamp plain, PicInfo last.
func TestEncodeShape(t *testing.T) {
	n := &Notification{
		AppID: "wwwwb4f85f3a797777", TimeStamp: "1369743511", OpenID: "111222", MsgType: MsgRequest,
		FeedBackID: "5883726847655944563", TransID: "10123312412321435345", Reason: "商品质量有问题",
		Solution: "补发货给我", ExtInfo: "明天六点前联系我 18610847266",
		AppSignature: "bafe07f060f22dcda0bfdb4b5ff756f973aafd0c", SignMethod: "sha1",
		PicURLs: []string{"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0"},
	}
	want := `<xml>
<OpenId><![CDATA[111222]]></OpenId>
<AppId><![CDATA[wwwwb4f85f3a797777]]></AppId>
<TimeStamp>1369743511</TimeStamp>
<MsgType><![CDATA[request]]></MsgType>
<FeedBackId><![CDATA[5883726847655944563]]></FeedBackId>
<TransId><![CDATA[10123312412321435345]]></TransId>
<Reason><![CDATA[商品质量有问题]]></Reason>
<Solution><![CDATA[补发货给我]]></Solution>
<ExtInfo><![CDATA[明天六点前联系我 18610847266]]></ExtInfo>
<AppSignature><![CDATA[bafe07f060f22dcda0bfdb4b5ff756f973aafd0c]]></AppSignature>
<SignMethod><![CDATA[sha1]]></SignMethod>
<PicInfo>
<item><PicUrl><![CDATA[http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0]]></PicUrl></item>
</PicInfo>
</xml>`
	got, err := n.Encode()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, string(got)); diff != "" {
		t.Errorf("Encode (-want +got):\n%s", diff)
	}
	// AppendXML appends.
	got2, err := n.AppendXML([]byte("prefix"))
	if err != nil || string(got2) != "prefix"+want {
		t.Errorf("AppendXML did not append to dst: %q, %v", got2, err)
	}
}

// TestEncodeOptionalElements: a request always carries Reason, Solution and
// ExtInfo; TransId only when set (a complaint without an order has none); a
// confirm only the elements that are set.
func TestEncodeOptionalElements(t *testing.T) {
	base := Notification{AppID: "wx", TimeStamp: "1", OpenID: "o", FeedBackID: "1", AppSignature: "s"}
	tests := []struct {
		msgType         MsgType
		transID         string
		present, absent []string
	}{
		{MsgRequest, "t", []string{"<TransId>", "<Reason><![CDATA[]]></Reason>", "<Solution>", "<ExtInfo>"}, []string{"<SignMethod>", "<PicInfo>"}},
		{MsgRequest, "", []string{"<Reason><![CDATA[]]></Reason>", "<Solution>", "<ExtInfo>"}, []string{"<TransId>", "<SignMethod>", "<PicInfo>"}},
		{MsgConfirm, "", nil, []string{"<TransId>", "<Reason>", "<Solution>", "<ExtInfo>", "<SignMethod>", "<PicInfo>"}},
		{MsgReject, "t", []string{"<TransId><![CDATA[t]]></TransId>"}, []string{"<Reason>", "<Solution>"}},
	}
	for _, tt := range tests {
		n := base
		n.MsgType, n.TransID = tt.msgType, tt.transID
		enc, err := n.Encode()
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range tt.present {
			if !strings.Contains(string(enc), s) {
				t.Errorf("%s: %s missing from\n%s", tt.msgType, s, enc)
			}
		}
		for _, s := range tt.absent {
			if strings.Contains(string(enc), s) {
				t.Errorf("%s: %s present in\n%s", tt.msgType, s, enc)
			}
		}
		back, err := ParseNotification(enc)
		if err != nil {
			t.Fatalf("%s: %v", tt.msgType, err)
		}
		if diff := cmp.Diff(&n, back); diff != "" {
			t.Errorf("%s: round trip (-want +got):\n%s", tt.msgType, diff)
		}
	}
}

// TestEncodeAwkwardValues: values XML cannot carry plainly still round-trip.
func TestEncodeAwkwardValues(t *testing.T) {
	for _, v := range []string{"a]]>b", "]]>", "]]]]>>", "<xml>&amp;</xml>", "line1\nline2", "tab\there", "emoji 😀", "a\r\nb", "a\rb", "x\r]]>\ry", "]]\r>"} {
		n := &Notification{AppID: "wx", TimeStamp: "1", OpenID: "o", MsgType: MsgConfirm, FeedBackID: "1",
			AppSignature: "s", Reason: v, PicURLs: []string{"http://x/" + v}}
		enc, err := n.Encode()
		if err != nil {
			t.Fatalf("Encode(%q): %v", v, err)
		}
		back, err := ParseNotification(enc)
		if err != nil {
			t.Fatalf("decoding Encode(%q): %v\n%s", v, err, enc)
		}
		if back.Reason != v || back.PicURLs[0] != "http://x/"+v {
			t.Errorf("round trip of %q gave %q, %q", v, back.Reason, back.PicURLs)
		}
	}
	// A TimeStamp that is not digits is written as CDATA, not as markup.
	n := &Notification{AppID: "wx", TimeStamp: "<b>", OpenID: "o", MsgType: MsgConfirm, FeedBackID: "1", AppSignature: "s"}
	enc, err := n.Encode()
	if err != nil || !strings.Contains(string(enc), "<TimeStamp><![CDATA[<b>]]></TimeStamp>") {
		t.Errorf("Encode of a non-decimal TimeStamp = %s, %v", enc, err)
	}
}

// TestEncodeRefusesUnencodable: invalid UTF-8 and characters XML forbids
// are refused, naming the element.
func TestEncodeRefusesUnencodable(t *testing.T) {
	for _, tt := range []struct {
		name    string
		modify  func(*Notification)
		element string
	}{
		{"invalid UTF-8", func(n *Notification) { n.Reason = "\xff" }, "<Reason>"},
		{"NUL", func(n *Notification) { n.OpenID = "a\x00" }, "<OpenId>"},
		{"bell", func(n *Notification) { n.ExtInfo = "\x07" }, "<ExtInfo>"},
		{"U+FFFE", func(n *Notification) { n.Solution = "\uFFFE" }, "<Solution>"},
		{"U+FFFF", func(n *Notification) { n.AppSignature = "\uFFFF" }, "<AppSignature>"},
		{"picture", func(n *Notification) { n.PicURLs = []string{"ok", "\x01"} }, "<PicUrl>"},
	} {
		n := &Notification{AppID: "wx", TimeStamp: "1", OpenID: "o", MsgType: MsgRequest, FeedBackID: "1", AppSignature: "s"}
		tt.modify(n)
		_, err := n.Encode()
		if err == nil || !strings.Contains(err.Error(), tt.element) {
			t.Errorf("%s: Encode error = %v, want one naming %s", tt.name, err, tt.element)
		}
	}
}
