package shop

import (
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
)

// getenv reads a variable the workflow sets; the tests take their
// settings from the environment, not from flags, because go test ./...
// gives its flags to every package.
func getenv(t *testing.T, name string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		t.Fatalf("$%s is not set: these tests run in the workflow, after the fake and the merchant started", name)
	}
	return v
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// TestTheScenarioComplaintArrived: the complaint the scenario files at
// +1m was pushed to the merchant, which stored it.
func TestTheScenarioComplaintArrived(t *testing.T) {
	if body := get(t, "http://"+getenv(t, "MERCHANT_ADDR")+"/complaints"); !strings.Contains(body, "1000000000000000001") {
		t.Fatalf("the merchant has not stored the scenario's complaint 1000000000000000001:\n%s", body)
	}
}

// TestTheFakeIsThere: the fake answers at $WECHAT_BASE_URL.
func TestTheFakeIsThere(t *testing.T) {
	if body := get(t, getenv(t, "WECHAT_BASE_URL")+"/_mock/health"); !strings.Contains(body, `"ok"`) {
		t.Fatalf("health: %s", body)
	}
}
