package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// The live log of `payfeedback mock`: one line per event of the fake on
// standard output, as `stripe listen` does, from the fake's event feed.
// --log sets the level (debug, info, warn, error, off) of the live log
// and of the fake's own messages (on standard error); --log-format json
// writes one JSON object per line instead, starting with one that says
// where the fake listens.
//
// Levels: a failed push attempt or an API call that answered an errcode
// is a warning, a push that failed for good an error; so for Complaints
// 2.0 callbacks (an attempt not acknowledged that should have been, or
// acknowledged that should have been refused, is a warning; a callback
// that failed for good an error); the world's small
// changes (a user interacted, an order, a media id, an account changed)
// are debug; everything else — complaints, pushes, calls, the clock — is
// info. Nothing printed holds a secret: calls carry their masked query,
// pushes no body.

// logFormat is --log-format.
type logFormat string

const (
	formatText logFormat = "text"
	formatJSON logFormat = "json"
)

func parseLogFormat(s string) (logFormat, error) {
	switch f := logFormat(s); f {
	case formatText, formatJSON:
		return f, nil
	}
	return "", fmt.Errorf("--log-format %q: want text or json", s)
}

// parseLogLevel reads --log; off is reported as ok=false.
func parseLogLevel(s string) (level slog.Level, on bool, err error) {
	switch s {
	case "off":
		return 0, false, nil
	case "debug":
		return slog.LevelDebug, true, nil
	case "info":
		return slog.LevelInfo, true, nil
	case "warn":
		return slog.LevelWarn, true, nil
	case "error":
		return slog.LevelError, true, nil
	}
	return 0, false, fmt.Errorf("--log %q: want debug, info, warn, error or off", s)
}

// eventLevel is the level of an event in the live log.
func eventLevel(e mockwechat.Event) slog.Level {
	switch {
	case e.Push != nil:
		p := e.Push
		switch {
		case p.Failed:
			return slog.LevelError
		case p.Phase == mockwechat.PushAnswered && p.Attempt != nil && !p.Attempt.OK:
			return slog.LevelWarn
		}
	case e.PayCallback != nil:
		return payCallbackLevel(e.PayCallback)
	case e.Call != nil:
		if e.Call.ErrCode != 0 {
			return slog.LevelWarn
		}
	case e.Change != nil:
		if !e.Change.Complaint() && e.Change.What != mockwechat.ChangeMessageDelivered && e.Change.What != mockwechat.ChangeWorldReset {
			return slog.LevelDebug
		}
	}
	return slog.LevelInfo
}

// payCallbackLevel is the level of a Complaints 2.0 callback's progress:
// a callback that failed for good is an error; an attempt the merchant
// did not acknowledge is a warning, unless the merchant was right to
// refuse it (a probe, or a fault whose signature cannot verify); an
// attempt it acknowledged but should have refused is a warning too.
func payCallbackLevel(r *mockwechat.PayCallbackReport) slog.Level {
	switch {
	case r.Phase == "failed" && !r.Delivery.Probe:
		return slog.LevelError
	case r.Attempt == nil:
		return slog.LevelInfo
	case r.Attempt.Wrong:
		return slog.LevelWarn
	case r.Attempt.Verdict != "acknowledged" && !r.Delivery.Probe && !mustRefuse(r.Attempt.Fault):
		return slog.LevelWarn
	}
	return slog.LevelInfo
}

// mustRefuse reports whether an attempt's fault (as the delivery log names
// it: "tamper-signature+duplicate") makes a verifying merchant refuse it.
func mustRefuse(fault string) bool {
	for _, part := range strings.Split(fault, "+") {
		switch {
		case part == "tamper-signature", part == "tamper-body", part == "other-key":
			return true
		case strings.HasPrefix(part, "stale "):
			if d, err := time.ParseDuration(strings.TrimPrefix(part, "stale ")); err == nil && d >= 5*time.Minute {
				return true
			}
		}
	}
	return false
}

// liveLogBuffer is how many events the live log's subscription holds
// while the output is behind (and before it starts, while the banner is
// printed); beyond it the subscription drops, and the log says so.
const liveLogBuffer = 8192

// liveLog writes the fake's events to w.
type liveLog struct {
	w      *bufio.Writer
	format logFormat
	level  slog.Level
	colour bool
	sub    *mockwechat.Subscription
}

// follow writes every event of the subscription at or above the level
// until it ends (the fake closed), then flushes. It writes in
// batches: whatever arrived while it wrote goes out in one flush, so a
// slow terminal costs the fake nothing (the subscription drops beyond its
// buffer, and the log says how many).
func (l *liveLog) follow() {
	defer l.w.Flush()
	sub := l.sub
	var dropped uint64
	for e := range sub.Events() {
		l.write(e)
		if d := sub.Dropped(); d != dropped {
			l.note(slog.LevelWarn, fmt.Sprintf("live log: %d events dropped (the output fell behind; the call and delivery logs have them)", d-dropped))
			dropped = d
		}
		if len(sub.Events()) == 0 {
			l.w.Flush()
		}
	}
}

func (l *liveLog) write(e mockwechat.Event) {
	level := eventLevel(e)
	if level < l.level {
		return
	}
	if l.format == formatJSON {
		b, err := json.Marshal(struct {
			Time  time.Time        `json:"time"`
			Level string           `json:"level"`
			Msg   string           `json:"msg"`
			Event mockwechat.Event `json:"event"`
		}{e.Time, level.String(), e.String(), e})
		if err != nil {
			return
		}
		l.w.Write(b)
		l.w.WriteByte('\n')
		return
	}
	line := e.Time.UTC().Format("15:04:05") + "  " + wholeID(e, e.String())
	if l.colour {
		line = paint(level, e, line)
	}
	l.w.WriteString(line)
	l.w.WriteByte('\n')
}

// wholeID puts the whole complaint or order id back into an event's
// line, where the fake's rendering shortens it to its first four digits
// ("complaint 1524… filed"): a log that names a complaint must name it
// so that one can act on it (payfeedback confirm ID). A line that holds
// the whole id already is returned as it is.
func wholeID(e mockwechat.Event, line string) string {
	id := ""
	switch {
	case e.Change != nil && e.Change.Complaint():
		id = e.Change.FeedBackID
	case e.Change != nil && (e.Change.What == mockwechat.ChangeOrderAdded || e.Change.What == mockwechat.ChangeOrderShipped):
		id = e.Change.TransID
	case e.Push != nil:
		id = e.Push.FeedBackID
	case e.Call != nil:
		id = e.Call.Query.Get("feedbackid")
	}
	if len(id) < 5 {
		return line
	}
	return strings.Replace(line, id[:4]+"…", id, 1)
}

// note writes a line of the log's own.
func (l *liveLog) note(level slog.Level, msg string) {
	if level < l.level {
		return
	}
	if l.format == formatJSON {
		b, _ := json.Marshal(map[string]any{"time": time.Now().UTC(), "level": level.String(), "msg": msg})
		l.w.Write(b)
		l.w.WriteByte('\n')
		return
	}
	l.w.WriteString(msg + "\n")
}

// paint colours a line for a terminal: failures red, warnings yellow,
// pushes and complaints in their own colour.
func paint(level slog.Level, e mockwechat.Event, line string) string {
	code := ""
	switch {
	case level >= slog.LevelError:
		code = "31"
	case level >= slog.LevelWarn:
		code = "33"
	case e.Push != nil:
		code = "35"
	case e.Change != nil && e.Change.Complaint():
		code = "36"
	case level < slog.LevelInfo:
		code = "2"
	}
	if code == "" {
		return line
	}
	return "\x1b[" + code + "m" + line + "\x1b[0m"
}

// startLine is the one JSON line that starts the log in --log-format
// json: where the fake listens, its clock and its accounts.
type startLine struct {
	Time     time.Time      `json:"time"`
	Level    string         `json:"level"`
	Msg      string         `json:"msg"`
	URL      string         `json:"url"`
	Health   string         `json:"health"`
	Admin    string         `json:"admin"`
	OpenAPI  string         `json:"openapi"`
	Console  string         `json:"console"`
	Events   string         `json:"events"`
	Clock    startClock     `json:"clock"`
	Accounts []startAccount `json:"accounts"`
	// Pay is the Complaints 2.0 merchant, absent with --pay=false.
	Pay *mockwechat.PayMerchant `json:"pay,omitempty"`
}

type startClock struct {
	Virtual bool      `json:"virtual"`
	Now     time.Time `json:"now"`
}

type startAccount struct {
	AppID      string `json:"appid"`
	Secret     string `json:"secret"`
	PaySignKey string `json:"paysignkey"`
	NotifyURL  string `json:"notify_url"`
}

// printStartJSON writes the start line. The demo account's credentials
// are public and written in full; credentials given are masked.
func printStartJSON(w io.Writer, srv *mockwechat.Server, demo bool) error {
	_, virtual := srv.Clock()
	s := startLine{Time: time.Now().UTC(), Level: "INFO", Msg: "mockwechat listening", URL: srv.URL,
		Health: srv.URL + "/_mock/health", Admin: srv.URL + "/_mock/", OpenAPI: srv.URL + "/_mock/openapi.json",
		Console: srv.URL + "/", Events: srv.URL + "/_mock/events", Clock: startClock{Virtual: virtual, Now: srv.Now().UTC()}}
	for _, a := range srv.Accounts() {
		acc := startAccount{AppID: a.AppID, Secret: "***", PaySignKey: "***", NotifyURL: a.NotifyURL}
		if demo {
			acc.Secret, acc.PaySignKey = a.Secret, a.PaySignKey
		}
		s.Accounts = append(s.Accounts, acc)
	}
	if m, ok := srv.PayMerchant(); ok {
		s.Pay = &m
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// newMockLogger is the fake's own logger on w (standard error): text, or
// JSON with --log-format json.
func newMockLogger(w io.Writer, level string, format logFormat) (*slog.Logger, error) {
	l, on, err := parseLogLevel(level)
	if err != nil {
		return nil, err
	}
	if !on {
		return slog.New(slog.DiscardHandler), nil
	}
	opts := &slog.HandlerOptions{Level: l}
	if format == formatJSON {
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return slog.New(slog.NewTextHandler(w, opts)), nil
}

// subscribeLiveLog subscribes to the fake's events for the live log; it
// writes nothing until follow. With --log off it subscribes to nothing
// (the feed then costs the fake nothing) and returns nil.
func subscribeLiveLog(srv *mockwechat.Server, std stdio, level string, format logFormat) *liveLog {
	l, on, _ := parseLogLevel(level) // checked by newMockLogger
	if !on {
		return nil
	}
	return &liveLog{w: bufio.NewWriterSize(std.Stdout, 64<<10), format: format, level: l,
		colour: format == formatText && std.colour(std.Stdout), sub: srv.Subscribe(liveLogBuffer)}
}

// bannerLinks are the banner's lines about where things are.
func bannerLinks(b *strings.Builder, url string) {
	fmt.Fprintf(b, "  console    %s/\n", url)
	fmt.Fprintf(b, "  admin API  %s/_mock/ (every endpoint, one line each; OpenAPI at /_mock/openapi.json)\n", url)
	fmt.Fprintf(b, "  events     %s/_mock/events (Server-Sent Events)\n", url)
	fmt.Fprintf(b, "  health     %s/_mock/health\n", url)
}
