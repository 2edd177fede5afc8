package replaytest_test

import (
	"flag"
	"fmt"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/middleware"
	"github.com/payfeedback/payfeedback/middleware/replaytest"
)

// Example checks the in-memory store against the contract, as a store's own
// test does with replaytest.Run(t, factory). testing.RunTests stands in for
// go test here so that the example runs; its verbose output is turned off
// for the example's sake.
func Example() {
	if v := flag.Lookup("test.v"); v != nil {
		old := v.Value.String()
		v.Value.Set("false")
		defer v.Value.Set(old)
	}
	factory := func(t *testing.T, now func() time.Time) middleware.ReplayStore {
		return middleware.NewMemoryStore(middleware.MemoryOptions{Now: now})
	}
	ok := testing.RunTests(func(pat, str string) (bool, error) { return true, nil },
		[]testing.InternalTest{{Name: "TestMemoryStore", F: func(t *testing.T) { replaytest.Run(t, factory) }}})
	fmt.Println("MemoryStore keeps the contract:", ok)
	// Output: MemoryStore keeps the contract: true
}
