package conformance

import (
	"fmt"
	"strings"

	"github.com/payfeedback/payfeedback/internal/text"
)

// Words about an exchange's answer, shared by the verdicts, the groups and
// the reports.

func is2xx(code int) bool { return code >= 200 && code < 300 }

// answerLine sums up an answer in one line: "HTTP 403: bad signature".
func answerLine(ex Exchange) string {
	if ex.Response == nil {
		if ex.Error == "" {
			return "no answer"
		}
		return "no answer: " + ex.Error
	}
	line := fmt.Sprintf("HTTP %d", ex.Response.Status)
	if body := firstLine(ex.Response.Body); body != "" {
		line += ": " + body
	}
	return line
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i] + " …"
	}
	return text.Clip(s, 120)
}

func quoteBody(s string) string {
	if strings.TrimSpace(s) == "" {
		return "an empty body"
	}
	return fmt.Sprintf("%q", firstLine(s))
}

// refusalSymptom names what an exchange shows when a valid notification
// was not accepted, or when nothing answered at all; "" when the run was
// interrupted.
func refusalSymptom(ex Exchange) string {
	if ex.Response != nil {
		return "valid notifications were answered " + answerLine(ex)
	}
	switch ex.Fault {
	case FaultCancelled:
		return ""
	case FaultRefused:
		return "the endpoint gave no answer: connection refused (nothing listens)"
	case FaultTimeout:
		return "the endpoint gave no answer in time"
	case FaultClosed:
		return "the endpoint closed the connection without an answer"
	}
	return "the endpoint gave no answer: " + ex.Error
}
