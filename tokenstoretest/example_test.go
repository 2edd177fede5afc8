package tokenstoretest_test

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/tokenstoretest"
)

// Example checks the in-memory store against the contract, as a store's own
// test does with tokenstoretest.Run(t, factory). testing.RunTests stands in
// for go test here so that the example runs; its verbose output is turned
// off for the example's sake.
func Example() {
	if v := flag.Lookup("test.v"); v != nil {
		old := v.Value.String()
		v.Value.Set("false")
		defer v.Value.Set(old)
	}
	factory := func(t *testing.T, now func() time.Time) payfeedback.TokenStore {
		return payfeedback.NewMemoryTokenStore(payfeedback.MemoryTokenStoreOptions{Now: now})
	}
	ok := testing.RunTests(func(pat, str string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "TestMemoryTokenStore", F: func(t *testing.T) { tokenstoretest.Run(t, factory) }}})
	fmt.Println("MemoryTokenStore keeps the contract:", ok)
	// Output: MemoryTokenStore keeps the contract: true
}
