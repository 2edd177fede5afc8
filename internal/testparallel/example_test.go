package testparallel_test

import (
	"flag"
	"fmt"

	"github.com/payfeedback/payfeedback/internal/testparallel"
)

// A package whose tests wait more than they compute runs eight at a time
// unless go test was given -parallel (or -test.parallel), which wins. Its
// TestMain:
//
//	func TestMain(m *testing.M) {
//		testparallel.Default(8)
//		os.Exit(m.Run())
//	}
func Example() {
	before := flag.Lookup("test.parallel").Value.String()
	testparallel.Default(8)
	after := flag.Lookup("test.parallel").Value.String()
	fmt.Println(after == "8" || after == before)
	// Output: true
}
