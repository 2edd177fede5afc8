package chromium_test

import (
	"fmt"
	"os"

	"github.com/payfeedback/payfeedback/internal/chromium"
)

// $CHROMIUM names the browser when it is not on $PATH.
func ExampleFind() {
	os.Setenv("CHROMIUM", "/opt/chromium/chrome")
	defer os.Unsetenv("CHROMIUM")
	path, err := chromium.Find()
	fmt.Println(path, err)
	// Output: /opt/chromium/chrome <nil>
}
