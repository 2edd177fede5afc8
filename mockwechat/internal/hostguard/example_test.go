package hostguard_test

import (
	"fmt"

	"github.com/payfeedback/payfeedback/mockwechat/internal/hostguard"
)

// A fake listening on 127.0.0.1:8080, with a compose service name allowed.
func ExampleRule_Allows() {
	g := hostguard.Rule{Addr: "127.0.0.1:8080", Allowed: []string{"mockwechat"}}
	for _, host := range []string{"127.0.0.1:8080", "localhost:8080", "mockwechat:8080", "api.weixin.qq.com", "rebind.evil.example:8080"} {
		fmt.Println(host, g.Allows(host))
	}
	// Output:
	// 127.0.0.1:8080 true
	// localhost:8080 true
	// mockwechat:8080 true
	// api.weixin.qq.com true
	// rebind.evil.example:8080 false
}
