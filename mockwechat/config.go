package mockwechat

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
)

// Config is the JSON configuration file of `payfeedback mock --config`:
// the Options under their JSON names, durations as Go duration strings
// ("90s", "24h"), and how to make the clock. Every field is optional;
// unknown fields are refused so that a typo says so.
//
//	{
//	  "addr": "127.0.0.1:8080", "allowed_hosts": ["mockwechat"],
//	  "accounts": [{"appid": "wx…", "secret": "…", "paysignkey": "…",
//	                "notify_url": "http://127.0.0.1:9000/payfeedback",
//	                "reasons": ["质量问题"], "solutions": ["退款"]}],
//	  "virtual_clock": true, "clock_start": "2025-03-01T10:00:00Z",
//	  "push_timestamps": "wall",
//	  "token_ttl": "2h", "token_grace": "5m", "token_calls_per_day": 2000,
//	  "calls_per_minute": 0, "message_window": "24h", "news_limit": 10,
//	  "news_overflow": "error", "media_ttl": "72h", "inbox_size": 1000,
//	  "max_media": 10000, "retry_schedule": ["15s", "15s", "30s", "3m"],
//	  "push_timeout": "5s", "push_concurrency": 8, "push_rate": 0,
//	  "strict_push_ack": false, "call_log_size": 10000,
//	  "call_log_bytes": 16777216, "delivery_log_size": 10000,
//	  "delivery_log_bytes": 33554432, "evidence_window": "72h",
//	  "read_timeout": "30s", "idle_timeout": "2m",
//	  "max_header_bytes": 65536, "seed": 0
//	}
type Config struct {
	Options
	// VirtualClock makes time virtual, starting at ClockStart (zero:
	// the time Resolve is given).
	VirtualClock bool      `json:"virtual_clock,omitempty"`
	ClockStart   time.Time `json:"clock_start,omitzero"`
}

// ParseConfig decodes a configuration file strictly.
func ParseConfig(b []byte) (Config, error) {
	var c Config
	if err := decodeConfig(b, &c); err != nil {
		return Config{}, fmt.Errorf("mockwechat: config: %w", err)
	}
	return c, nil
}

// Resolve returns the Options of the configuration, the virtual clock made
// (starting at now when ClockStart is zero). New checks the rest.
func (c Config) Resolve(now time.Time) (Options, error) {
	o := c.Options
	switch {
	case c.VirtualClock:
		start := c.ClockStart
		if start.IsZero() {
			start = now
		}
		o.Clock = NewVirtualClock(start)
	case !c.ClockStart.IsZero():
		return Options{}, errors.New("mockwechat: config: clock_start needs virtual_clock: true")
	}
	return o, nil
}

var (
	durationType  = reflect.TypeFor[time.Duration]()
	durationsType = reflect.TypeFor[[]time.Duration]()
	timeType      = reflect.TypeFor[time.Time]()
)

// decodeConfig decodes one JSON object into the struct dst points to, by
// the fields' JSON names (embedded structs inline), with durations as Go
// duration strings and times in RFC 3339. Unknown fields are refused.
func decodeConfig(b []byte, dst any) error {
	var raw map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(b))
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("more than one JSON value")
	}
	fields := make(map[string]reflect.Value)
	jsonFields(reflect.ValueOf(dst).Elem(), fields)
	for _, name := range slices.Sorted(maps.Keys(raw)) {
		f, ok := fields[name]
		if !ok {
			return fmt.Errorf("unknown field %q", name)
		}
		if err := decodeField(name, raw[name], f); err != nil {
			return err
		}
	}
	return nil
}

// jsonFields maps JSON names to the settable fields of v.
func jsonFields(v reflect.Value, out map[string]reflect.Value) {
	t := v.Type()
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch {
		case name == "-" || !sf.IsExported():
		case sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct:
			jsonFields(v.Field(i), out)
		default:
			if name == "" {
				name = sf.Name
			}
			out[name] = v.Field(i)
		}
	}
}

func decodeField(name string, raw json.RawMessage, f reflect.Value) error {
	switch f.Type() {
	case durationType:
		var s string
		d, err := time.Duration(0), json.Unmarshal(raw, &s)
		if err == nil {
			d, err = time.ParseDuration(s)
		}
		if err != nil {
			return fmt.Errorf("%s %s: want a Go duration such as 90s or 24h", name, text.Clip(string(raw), 32))
		}
		f.SetInt(int64(d))
	case durationsType:
		var ss []string
		if err := json.Unmarshal(raw, &ss); err != nil {
			return fmt.Errorf("%s: want a list of Go durations such as [\"15s\", \"1m\"]", name)
		}
		ds := make([]time.Duration, 0, len(ss))
		for _, s := range ss {
			d, err := time.ParseDuration(s)
			if err != nil {
				return fmt.Errorf("%s %q: want Go durations such as 15s", name, text.Clip(s, 32))
			}
			ds = append(ds, d)
		}
		f.Set(reflect.ValueOf(ds))
	case timeType:
		var s string
		t, err := time.Time{}, json.Unmarshal(raw, &s)
		if err == nil {
			t, err = time.Parse(time.RFC3339, s)
		}
		if err != nil {
			return fmt.Errorf("%s %s: want RFC 3339, e.g. 2025-03-01T10:00:00Z", name, text.Clip(string(raw), 40))
		}
		f.Set(reflect.ValueOf(t))
	default:
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(f.Addr().Interface()); err != nil {
			return fmt.Errorf("%s: %v", name, err)
		}
	}
	return nil
}
