package admin_test

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// The admin API takes JSON writes only: a form, which any web page can make
// a browser send, is refused.
func Example() {
	fake := mockwechat.NewServer(mockwechat.Options{})
	defer fake.Close()
	for _, ct := range []string{"application/x-www-form-urlencoded", "application/json"} {
		resp, err := fake.Client().Post(fake.URL+"/_mock/users", ct, strings.NewReader(`{"openid":"o1"}`))
		if err != nil {
			fmt.Println(err)
			return
		}
		resp.Body.Close()
		fmt.Println(ct, resp.StatusCode, http.StatusText(resp.StatusCode))
	}
	// Output:
	// application/x-www-form-urlencoded 415 Unsupported Media Type
	// application/json 200 OK
}
