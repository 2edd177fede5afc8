package paykeystest_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/payfeedback/payfeedback/mockwechat"
	"github.com/payfeedback/payfeedback/mockwechat/paykeystest"
)

// Two fakes, each on its own copy of one identity: the keys were made
// once, and a merchant configured for one is configured for the other. In
// a test, keys.Dir(t) makes the copy under t.TempDir().
func Example() {
	var keys paykeystest.Identity
	defer keys.Close()
	tmp, err := os.MkdirTemp("", "example-")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(tmp)

	var serials []string
	for _, name := range []string{"a", "b"} {
		dir := filepath.Join(tmp, name)
		if err := keys.CopyTo(dir); err != nil {
			panic(err)
		}
		fake := mockwechat.NewServer(mockwechat.Options{Pay: &mockwechat.PayOptions{KeysDir: dir}})
		m, _ := fake.PayMerchant()
		serials = append(serials, m.SerialNo)
		fake.Close()
	}
	fmt.Println("one identity:", serials[0] == serials[1])
	// Output: one identity: true
}
