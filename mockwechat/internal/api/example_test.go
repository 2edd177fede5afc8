package api_test

import (
	"fmt"
	"io"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// The endpoints answer as the live API does: a wrong appSecret is 40125.
func Example() {
	fake := mockwechat.NewServer(mockwechat.Options{})
	defer fake.Close()
	demo := mockwechat.DemoAccount()
	resp, err := fake.Client().Get(fake.URL + payfeedback.PathToken + "?grant_type=client_credential&appid=" + demo.AppID + "&secret=wrong")
	if err != nil {
		fmt.Println(err)
		return
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(b))
	// Output:
	// 200 {"errcode":40125,"errmsg":"invalid appsecret hint: [appsecret is wrong]"}
}
