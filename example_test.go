package payfeedback_test

import (
	"errors"
	"fmt"

	"github.com/payfeedback/payfeedback"
)

// Example_signatureFlow signs a notification the way WeChat does, encodes it
// as WeChat sends it, then receives it: decode, verify, use.
func Example_signatureFlow() {
	const paySignKey = "test-paySignKey" // never log the real one

	// The sender (WeChat, or the mockwechat package in tests).
	sent := &payfeedback.Notification{
		AppID:      "wxf8b4f85f3a794e77",
		OpenID:     "oDF3iY9P32sK_5GgYiRkjsCo45bk",
		TimeStamp:  "1369743511",
		MsgType:    payfeedback.MsgRequest,
		FeedBackID: "13275936403980775178", // beyond int64: a string
		TransID:    "1219419901201307226235678915",
		Reason:     "商品质量有问题",
		PicURLs:    []string{"http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0"},
	}
	if err := sent.Sign(paySignKey); err != nil {
		fmt.Println(err)
		return
	}
	body, err := sent.Encode()
	if err != nil {
		fmt.Println(err)
		return
	}

	// The receiver.
	n, err := payfeedback.ParseNotification(body)
	if err != nil {
		fmt.Println("refused:", err)
		return
	}
	if err := n.Verify(paySignKey); err != nil {
		fmt.Println("refused:", err)
		return
	}
	fmt.Println(n.MsgType, n.FeedBackID, n.Reason, len(n.PicURLs), "picture")
	fmt.Println("signature", n.AppSignature)

	// A wrong key, and a tampered signed field, are refused.
	err = n.Verify("another key")
	fmt.Println(errors.Is(err, payfeedback.ErrBadSignature))
	n.OpenID = "someone else"
	fmt.Println(n.Verify(paySignKey))
	// Output:
	// request 13275936403980775178 商品质量有问题 1 picture
	// signature f2b8eeb48bb165b0e8c89be8988f143f892a5568
	// true
	// payfeedback: AppSignature does not match
}

// ExampleParseNotification shows the typed refusals.
func ExampleParseNotification() {
	for _, body := range []string{
		`<xml><AppId>wx</AppId></xml>`,
		`<!DOCTYPE xml [<!ENTITY x SYSTEM "file:///etc/passwd">]><xml>&x;</xml>`,
		`<root/>`,
		`<xml><AppId>wx`,
	} {
		_, err := payfeedback.ParseNotification([]byte(body))
		fmt.Println(errors.Is(err, payfeedback.ErrMalformed), err)
	}
	// Output:
	// false payfeedback: required element missing: <TimeStamp>
	// false payfeedback: DOCTYPE and directives are not allowed
	// false payfeedback: root element is not <xml>: <root>
	// true payfeedback: malformed XML: line 1: unexpected EOF (the body is truncated)
}

// ExampleStringToSign shows what is hashed, with the key masked, to debug a
// signature mismatch without leaking the key.
func ExampleStringToSign() {
	fmt.Println(payfeedback.StringToSign([]payfeedback.Param{
		{Key: "OpenId", Value: "111222"},
		{Key: "AppId", Value: "wwwwb4f85f3a797777"},
		{Key: "TimeStamp", Value: " 1369743511"},
	}))
	// Output:
	// appid=wwwwb4f85f3a797777&appkey=***&openid=111222&timestamp=1369743511
}

// ExampleNotification_Own decodes notifications in place, from one buffer
// reused for every body, and keeps the ones it must: Own copies a
// notification's values out of the buffer before the buffer's next use.
func ExampleNotification_Own() {
	var kept []payfeedback.Notification
	buf := make([]byte, 0, 4<<10) // a receiver's reused body buffer
	for _, body := range []string{
		`<xml><AppId>wx1</AppId><TimeStamp>1369743511</TimeStamp><OpenId>o1</OpenId><MsgType>request</MsgType><FeedBackId>1001</FeedBackId><AppSignature>sig</AppSignature></xml>`,
		`<xml><AppId>wx1</AppId><TimeStamp>1369743512</TimeStamp><OpenId>o2</OpenId><MsgType>confirm</MsgType><FeedBackId>1002</FeedBackId><AppSignature>sig</AppSignature></xml>`,
	} {
		buf = append(buf[:0], body...)
		var n payfeedback.Notification
		if err := payfeedback.ParseNotificationInto(&n, buf); err != nil {
			fmt.Println(err)
			continue
		}
		n.Own() // n's values pointed into buf, which the next body overwrites
		kept = append(kept, n)
	}
	for _, n := range kept {
		fmt.Println(n.FeedBackID, n.OpenID, n.MsgType)
	}
	// Output:
	// 1001 o1 request
	// 1002 o2 confirm
}
