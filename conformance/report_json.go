package conformance

import (
	"encoding/json"
	"io"
)

// jsonReport is the JSON document: the report plus its counts.
type jsonReport struct {
	Report
	Counts  Counts `json:"counts"`
	Summary string `json:"summary"`
}

// WriteJSON writes the report as one indented JSON document: target,
// started, duration_ns, config, results (each with its exchanges on the
// wire), counts and summary. Field names are stable.
func (r Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(jsonReport{Report: r, Counts: r.Counts(), Summary: r.Summary()})
}

// ReadJSON reads a report WriteJSON wrote.
func ReadJSON(rd io.Reader) (Report, error) {
	var jr jsonReport
	err := json.NewDecoder(rd).Decode(&jr)
	return jr.Report, err
}
