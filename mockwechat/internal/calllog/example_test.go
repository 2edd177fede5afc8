package calllog_test

import (
	"fmt"

	"github.com/payfeedback/payfeedback/mockwechat/internal/calllog"
)

// Secrets are masked and tokens shortened whatever the path.
func ExampleLog() {
	l := calllog.New(calllog.Options{})
	l.Add(calllog.Call{Endpoint: "/cgi-bin/token/"}, "appid=wx1&secret=s3cr3t&access_token=0123456789abcdefTOKEN1")
	calls, next := l.Since(0, 0)
	c := calls[0]
	fmt.Println(c.Seq, c.Query.Get("appid"), c.Query.Get("secret"), c.Query.Get("access_token"), next)
	// Output:
	// 1 wx1 *** ***TOKEN1 2
}
