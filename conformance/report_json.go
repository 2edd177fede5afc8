package conformance

import (
	"encoding/json"
	"io"
)

// jsonReport is the JSON document: the report plus what is derived from
// it (ReadJSON ignores those).
type jsonReport struct {
	Report
	Groups  []Group `json:"groups,omitempty"`
	Counts  Counts  `json:"counts"`
	Failed  bool    `json:"failed"`
	Summary string  `json:"summary"`
}

// WriteJSON writes the report as one indented JSON document: target,
// started, duration_ns, config, control, results (each with its
// exchanges on the wire), interrupted, then what is derived: groups (see
// Groups), counts, failed (Failed) and summary. Field names are stable.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonReport{Report: r, Groups: r.Groups(), Counts: r.Counts(), Failed: r.Failed(), Summary: r.Summary()})
}

// ReadJSON reads a report WriteJSON wrote.
func ReadJSON(rd io.Reader) (Report, error) {
	var jr jsonReport
	err := json.NewDecoder(rd).Decode(&jr)
	return jr.Report, err
}
