package push

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// skewTolerance is how far from real time a TimeStamp may be and still
// count as real time when a receiver refuses it.
const skewTolerance = time.Minute

// timestampRefused returns what to set when a receiver refused a push's
// TimeStamp (ts, Unix seconds) as too old or in the future, judged at wall
// time now; "" when the answer is no such refusal.
//
// The cue is the payfeedback middleware's answer: 401 with its reason,
// "TimeStamp too old: …" or "TimeStamp in the future: …" (no typed
// signal crosses HTTP; TestTimestampRefusedByTheMiddleware holds these
// texts to the middleware's). The usual cause is a fake on a virtual clock
// pushing to a merchant on the wall clock: the TimeStamp is then far from
// real time, and the hint says how to put both on one clock.
func timestampRefused(status int, answer, ts string, now time.Time) string {
	if status != http.StatusUnauthorized {
		return ""
	}
	var what string
	switch {
	case strings.Contains(answer, "TimeStamp too old"):
		what = "too old"
	case strings.Contains(answer, "TimeStamp in the future"):
		what = "in the future"
	default:
		return ""
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return ""
	}
	stamped := time.Unix(sec, 0).UTC()
	skew := stamped.Sub(now)
	if skew.Abs() < skewTolerance {
		return fmt.Sprintf("the merchant refused the TimeStamp as %s, though it is real time (%s): the merchant's clock, "+
			"or the clock its middleware reads (Config.Now), is off by more than it allows (Config.MaxAge, Config.MaxFuture)",
			what, stamped.Format(time.RFC3339))
	}
	side := "behind"
	if skew > 0 {
		side = "ahead of"
	}
	gap := skew.Abs().Round(time.Second).String()
	if skew.Abs() >= 48*time.Hour {
		gap = strconv.FormatInt(int64(skew.Abs()/(24*time.Hour)), 10) + " days"
	}
	return fmt.Sprintf("the merchant refused the TimeStamp as %s: it is the fake's virtual clock, %s, %s %s real time; "+
		"give the merchant's middleware Config.Now = fake.Now (a merchant in the same process), or stamp pushes with real time: "+
		"Options.PushTimestamps = PushTimestampsWall (payfeedback mock --push-timestamps wall)",
		what, stamped.Format(time.RFC3339), gap, side)
}
