package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/goccy/go-yaml"
)

// Format is a scenario file's format.
type Format string

// The formats.
const (
	YAML Format = "yaml"
	JSON Format = "json"
)

// Marshal writes the scenario in the format: times in RFC 3339 (UTC as
// given), durations as Go durations, a message's raw body as its text.
func Marshal(sc *Scenario, f Format) ([]byte, error) {
	opts := []yaml.EncodeOption{
		yaml.CustomMarshaler(func(r json.RawMessage) ([]byte, error) { return json.Marshal(string(r)) }),
	}
	switch f {
	case YAML:
		opts = append(opts, yaml.IndentSequence(true),
			yaml.CustomMarshaler(func(t time.Time) ([]byte, error) { return []byte(t.Format(time.RFC3339Nano)), nil }))
	case JSON:
		opts = append(opts, yaml.JSON(),
			yaml.CustomMarshaler(func(t time.Time) ([]byte, error) { return json.Marshal(t.Format(time.RFC3339Nano)) }))
	default:
		return nil, fmt.Errorf("mockwechat: scenario: unknown format %q: want yaml or json", f)
	}
	b, err := yaml.MarshalWithOptions(sc, opts...)
	if err != nil {
		return nil, fmt.Errorf("mockwechat: scenario: %w", err)
	}
	if f == JSON {
		if b, err = requoteStrings(b); err != nil {
			return nil, fmt.Errorf("mockwechat: scenario: %w", err)
		}
		var out bytes.Buffer
		if err := json.Indent(&out, b, "", "  "); err != nil {
			return nil, fmt.Errorf("mockwechat: scenario: %w", err)
		}
		out.WriteByte('\n')
		return out.Bytes(), nil
	}
	return b, nil
}

// requoteStrings rewrites the string literals of go-yaml's JSON output as
// JSON quotes them. go-yaml quotes strings the Go way (strconv.Quote), and
// some of Go's escapes are not JSON (\x00, \a, \v, \U000e0001): a text
// holding a control character, say a message a merchant sent, would make
// the snapshot unreadable. Invalid UTF-8 becomes U+FFFD, as encoding/json
// writes it.
func requoteStrings(b []byte) ([]byte, error) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); {
		if b[i] != '"' {
			out = append(out, b[i])
			i++
			continue
		}
		j := i + 1
		for j < len(b) && b[j] != '"' {
			if b[j] == '\\' {
				j++
			}
			j++
		}
		if j >= len(b) {
			return nil, fmt.Errorf("unterminated string at byte %d of the JSON output", i)
		}
		lit := b[i : j+1]
		if bytes.IndexByte(lit, '\\') >= 0 {
			s, err := strconv.Unquote(string(lit))
			if err != nil {
				return nil, fmt.Errorf("string at byte %d of the JSON output: %w", i, err)
			}
			var q bytes.Buffer
			enc := json.NewEncoder(&q)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(s); err != nil {
				return nil, err
			}
			lit = bytes.TrimSuffix(q.Bytes(), []byte("\n"))
		}
		out = append(out, lit...)
		i = j + 1
	}
	return out, nil
}
