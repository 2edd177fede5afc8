package scenario

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"time"
)

// Parse reads a scenario file, YAML or JSON; name is the file's name for
// errors. Offsets count from clock.start, or from now when the file gives
// none (Clock.Start is then now). Every error is an *Error naming the
// file, the line and the column, and saying what was expected; unknown
// keys are errors. Parse checks the shape and what refers to what
// (accounts, complaints, faults); Compile checks the rest.
func Parse(name string, data []byte, now time.Time) (*Scenario, error) {
	doc, _, err := read(name, data)
	if err != nil {
		return nil, err
	}
	// The YAML node tree is garbage from here: an error found later reads
	// the file again to be placed. Less to keep, less for the collector
	// to go through while the rest is read.
	src := newSource(name, data)
	if err := validate(doc, src); err != nil {
		return nil, err
	}
	start := now
	if c, ok := doc.(map[string]any)["clock"].(map[string]any); ok {
		if s, ok := c["start"].(string); ok {
			if start, err = time.Parse(time.RFC3339Nano, s); err != nil {
				return nil, src.place(errorf("clock.start", "%s", friendly["absoluteTime"]))
			}
		}
	}
	sc := &Scenario{}
	d := decoder{start: start}
	if err := d.decode(reflect.ValueOf(sc).Elem(), doc, nil); err != nil {
		var de *decodeError
		if errors.As(err, &de) {
			return nil, src.place(errorf(pathOf(de.path), "%s", de.msg))
		}
		return nil, src.place(errorf("", "%v", err))
	}
	sc.Clock.Start = start
	sc.src = src
	if err := sc.Check(); err != nil {
		return nil, err
	}
	return sc, nil
}

// Whole checks that data, a file Marshal wrote (a snapshot, a saved
// state), was not cut short. JSON cut short does not parse, and Parse
// refuses it; YAML cut short often still parses, and would lose what was
// cut without a word: Whole wants YAML to end with EndMarker.
func Whole(name string, data []byte) error {
	trimmed := bytes.TrimRight(data, " \t\r\n")
	switch {
	case strings.EqualFold(filepath.Ext(name), ".json"),
		bytes.Equal(trimmed, []byte(EndMarker)) || bytes.HasSuffix(trimmed, []byte("\n"+EndMarker)),
		bytes.HasPrefix(bytes.TrimLeft(data, " \t\r\n"), []byte("{")) && json.Valid(data):
		return nil
	}
	line, _ := lineColumn(data, len(data))
	return &Error{File: name, Line: line, Msg: fmt.Sprintf("the file ends without the line %q that payfeedback writes last: it was cut short (or saved by a payfeedback older than the marker: if it is whole, add the line)", EndMarker)}
}

// ParseTime reads an RFC 3339 time, or an offset from start: a sign, then
// days ("2d") and/or a Go duration ("36h", "1d12h", "-30h", "+90m").
func ParseTime(s string, start time.Time) (time.Time, error) {
	if s == "" || (s[0] != '+' && s[0] != '-') {
		t, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			return time.Time{}, fmt.Errorf("%q: %s", s, friendly["time"])
		}
		return t, nil
	}
	rest := s[1:]
	var d time.Duration
	if days, after, ok := strings.Cut(rest, "d"); ok {
		n := 0
		if _, err := fmt.Sscanf(days, "%d", &n); err != nil || days == "" || strings.Trim(days, "0123456789") != "" {
			return time.Time{}, fmt.Errorf("%q: %s", s, friendly["time"])
		}
		d, rest = time.Duration(n)*24*time.Hour, after
	}
	if rest != "" {
		v, err := time.ParseDuration(rest)
		if err != nil || v < 0 || strings.ContainsAny(rest, "+-") {
			return time.Time{}, fmt.Errorf("%q: %s", s, friendly["time"])
		}
		d += v
	} else if d == 0 && !strings.Contains(s, "d") {
		return time.Time{}, fmt.Errorf("%q: %s", s, friendly["time"])
	}
	if s[0] == '-' {
		d = -d
	}
	return start.Add(d), nil
}
