package console_test

import (
	"fmt"
	"io"
	"strings"

	"github.com/payfeedback/payfeedback/mockwechat"
	"github.com/payfeedback/payfeedback/mockwechat/internal/console"
)

// The console is the fake's root: HTML readable without JavaScript, under
// a strict Content-Security-Policy.
func Example() {
	fake := mockwechat.NewServer(mockwechat.Options{})
	defer fake.Close()
	resp, err := fake.Client().Get(fake.URL + "/complaints")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	fmt.Println(resp.StatusCode, resp.Header.Get("Content-Type"))
	fmt.Println(resp.Header.Get("Content-Security-Policy") == console.CSP)
	fmt.Println(strings.Contains(string(body), "<h1>Complaints</h1>"))
	// Output:
	// 200 text/html; charset=utf-8
	// true
	// true
}
