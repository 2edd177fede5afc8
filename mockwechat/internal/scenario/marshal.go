package scenario

import (
	"bytes"
	"encoding/json"
	"fmt"
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
		var out bytes.Buffer
		if err := json.Indent(&out, b, "", "  "); err != nil {
			return nil, fmt.Errorf("mockwechat: scenario: %w", err)
		}
		out.WriteByte('\n')
		return out.Bytes(), nil
	}
	return b, nil
}
