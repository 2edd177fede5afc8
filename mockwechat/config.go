package mockwechat

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Config is the JSON configuration file of `payfeedback mock --config`:
// Options with durations as Go duration strings ("90s", "24h"). Every field
// is optional; unknown fields are refused so that a typo says so.
//
//	{
//	  "addr": "127.0.0.1:8080",
//	  "accounts": [{"appid": "wx…", "secret": "…", "paysignkey": "…",
//	                "notify_url": "http://127.0.0.1:9000/payfeedback",
//	                "reasons": ["质量问题"], "solutions": ["退款"]}],
//	  "virtual_clock": true, "clock_start": "2025-03-01T10:00:00Z",
//	  "token_ttl": "2h", "token_grace": "5m", "token_calls_per_day": 2000,
//	  "message_window": "24h", "news_limit": 10, "news_overflow": "error",
//	  "media_ttl": "72h", "inbox_size": 1000, "max_media": 10000,
//	  "retry_schedule": ["15s", "15s", "30s", "3m"], "push_timeout": "5s",
//	  "push_concurrency": 8, "strict_push_ack": false,
//	  "call_log_size": 10000, "delivery_log_size": 10000,
//	  "evidence_window": "72h", "seed": 0
//	}
type Config struct {
	Addr     string    `json:"addr,omitempty"`
	Accounts []Account `json:"accounts,omitempty"`
	// VirtualClock makes time virtual, starting at ClockStart (RFC 3339;
	// empty: the current time).
	VirtualClock bool   `json:"virtual_clock,omitempty"`
	ClockStart   string `json:"clock_start,omitempty"`
	Seed         uint64 `json:"seed,omitempty"`

	TokenTTL         string   `json:"token_ttl,omitempty"`
	TokenGrace       string   `json:"token_grace,omitempty"`
	TokenCallsPerDay int      `json:"token_calls_per_day,omitempty"`
	MessageWindow    string   `json:"message_window,omitempty"`
	NewsLimit        int      `json:"news_limit,omitempty"`
	NewsOverflow     string   `json:"news_overflow,omitempty"`
	MediaTTL         string   `json:"media_ttl,omitempty"`
	InboxSize        int      `json:"inbox_size,omitempty"`
	MaxMedia         int      `json:"max_media,omitempty"`
	RetrySchedule    []string `json:"retry_schedule,omitempty"`
	PushTimeout      string   `json:"push_timeout,omitempty"`
	PushConcurrency  int      `json:"push_concurrency,omitempty"`
	StrictPushAck    bool     `json:"strict_push_ack,omitempty"`
	CallLogSize      int      `json:"call_log_size,omitempty"`
	DeliveryLogSize  int      `json:"delivery_log_size,omitempty"`
	EvidenceWindow   string   `json:"evidence_window,omitempty"`
}

// ParseConfig decodes a configuration file strictly.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Config{}, fmt.Errorf("mockwechat: config: %v", err)
	}
	if dec.More() {
		return Config{}, fmt.Errorf("mockwechat: config: more than one JSON value")
	}
	return c, nil
}

// Options converts the configuration (now is the clock start when
// ClockStart is empty). It checks durations; New checks the rest.
func (c Config) Options(now time.Time) (Options, error) {
	o := Options{Addr: c.Addr, Accounts: c.Accounts, Seed: c.Seed, TokenCallsPerDay: c.TokenCallsPerDay,
		NewsLimit: c.NewsLimit, NewsOverflow: NewsOverflow(c.NewsOverflow), InboxSize: c.InboxSize,
		MaxMedia: c.MaxMedia, PushConcurrency: c.PushConcurrency, StrictPushAck: c.StrictPushAck,
		CallLogSize: c.CallLogSize, DeliveryLogSize: c.DeliveryLogSize}
	for _, d := range []struct {
		name string
		s    string
		dst  *time.Duration
	}{
		{"token_ttl", c.TokenTTL, &o.TokenTTL}, {"token_grace", c.TokenGrace, &o.TokenGrace},
		{"message_window", c.MessageWindow, &o.MessageWindow}, {"media_ttl", c.MediaTTL, &o.MediaTTL},
		{"push_timeout", c.PushTimeout, &o.PushTimeout}, {"evidence_window", c.EvidenceWindow, &o.EvidenceWindow},
	} {
		if d.s == "" {
			continue
		}
		v, err := time.ParseDuration(d.s)
		if err != nil {
			return Options{}, fmt.Errorf("mockwechat: config: %s %q: want a Go duration such as 90s or 24h", d.name, clip(d.s, 32))
		}
		*d.dst = v
	}
	if c.RetrySchedule != nil {
		o.RetrySchedule = make([]time.Duration, 0, len(c.RetrySchedule))
		for _, s := range c.RetrySchedule {
			v, err := time.ParseDuration(s)
			if err != nil {
				return Options{}, fmt.Errorf("mockwechat: config: retry_schedule %q: want Go durations such as 15s", clip(s, 32))
			}
			o.RetrySchedule = append(o.RetrySchedule, v)
		}
	}
	if c.VirtualClock {
		start := now
		if c.ClockStart != "" {
			t, err := time.Parse(time.RFC3339, c.ClockStart)
			if err != nil {
				return Options{}, fmt.Errorf("mockwechat: config: clock_start %q: want RFC 3339, e.g. 2025-03-01T10:00:00Z", clip(c.ClockStart, 40))
			}
			start = t
		}
		o.Clock = NewVirtualClock(start)
	} else if c.ClockStart != "" {
		return Options{}, fmt.Errorf("mockwechat: config: clock_start needs virtual_clock: true")
	}
	return o, nil
}
