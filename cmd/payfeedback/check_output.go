package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/conformance"
)

// outputs says where check's reports go: standard output carries exactly
// one (format), the progress lines go where it is not a document, and the
// files are written at the end, whole or not at all.
type outputs struct {
	format   string // text, json or junit
	progress io.Writer
	files    []reportFile
}

// reportFile is a report to write to a file.
type reportFile struct{ path, format string }

// planOutputs checks --format, --json and --junit before the run: one
// report on standard output, and report files that can be written (their
// directory exists and takes a new file), so that minutes of cases are
// not lost to a typo in a path.
func planOutputs(std stdio, f checkFlags) (outputs, error) {
	o := outputs{format: f.format}
	switch f.format {
	case "text", "json", "junit":
	default:
		return o, fmt.Errorf("--format %q: want text, json or junit", f.format)
	}
	claimed := ""
	if f.format != "text" {
		claimed = "--format " + f.format
	}
	for _, r := range []struct{ flag, path, format string }{{"--json", f.jsonFile, "json"}, {"--junit", f.junitFile, "junit"}} {
		switch r.path {
		case "":
		case "-":
			if claimed != "" && claimed != "--format "+r.format {
				return o, fmt.Errorf("%s - and %s both ask for standard output, which carries one report: give one of them a file", r.flag, claimed)
			}
			claimed, o.format = r.flag+" -", r.format
		default:
			if err := writable(r.path); err != nil {
				return o, fmt.Errorf("%s %s: %w", r.flag, r.path, err)
			}
			o.files = append(o.files, reportFile{r.path, r.format})
		}
	}
	o.progress = std.Stdout
	if o.format != "text" {
		o.progress = std.Stderr
	}
	return o, nil
}

// writable checks that a report can be written at path without writing
// it: not a directory, in a directory that takes a new file, and, when it
// exists, open for writing.
func writable(path string) error {
	if fi, err := os.Stat(path); err == nil {
		if fi.IsDir() {
			return fmt.Errorf("is a directory")
		}
		f, err := os.OpenFile(path, os.O_WRONLY, 0)
		if err != nil {
			return fmt.Errorf("cannot be written: %w", err)
		}
		f.Close()
	}
	dir := filepath.Dir(path)
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		return fmt.Errorf("the directory %s does not exist", dir)
	}
	tmp, err := os.CreateTemp(dir, ".payfeedback-check-*")
	if err != nil {
		return fmt.Errorf("cannot write in %s: %w", dir, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}

// write writes the reports of a run: the details (or the document) on
// standard output, the human report on standard error when standard
// output carries a document, and the files.
func (o outputs) write(std stdio, rep conformance.Report, p *progress) error {
	var err error
	switch o.format {
	case "json":
		err = rep.WriteJSON(std.Stdout)
	case "junit":
		err = rep.WriteJUnit(std.Stdout)
	}
	if err != nil {
		return fmt.Errorf("writing the report on standard output: %w", err)
	}
	if err := p.details(rep); err != nil {
		return err
	}
	for _, f := range o.files {
		if err := writeReportFile(f.path, func(w io.Writer) error {
			if f.format == "junit" {
				return rep.WriteJUnit(w)
			}
			return rep.WriteJSON(w)
		}); err != nil {
			return err
		}
	}
	return nil
}

// writeReportFile writes a report to a file beside name and renames it
// into place: a report is there whole, or the previous one stays.
func writeReportFile(name string, write func(io.Writer) error) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".payfeedback-check-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	defer os.Remove(tmp.Name()) // after the rename, nothing is there
	if err := write(tmp); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	return os.Rename(tmp.Name(), name)
}

// progress prints check's progress: a line per case as it ends, with a
// counter, coloured on a terminal (unless $NO_COLOR), and on a terminal
// what a long wait is waiting for. Once the control failed, the cases
// that fail the same way get a dot each on one line: the details list
// them once, under the cause. The lock guards the writer and the
// indicator; it is taken alone.
type progress struct {
	w         io.Writer
	colour    bool
	indicator bool
	total     int
	// header is printed before the first line, so that a run that cannot
	// start (nothing listens) prints nothing but its error.
	header string

	mu sync.Mutex
	n  int
	// symptom is the failed control's: the cases that fail the same way
	// are counted on one line of dots (a fold), not listed a line each;
	// the details list them, under the cause. So are the cases skipped
	// for the reason of the SKIP line just printed (lastSkip).
	symptom, lastSkip string
	foldKey           string // what the open fold holds ("": none open)
	folded, foldTo    int
	waitWhat          string
	waitSince         time.Time
	stop              chan struct{}
	stopped           chan struct{}
	shown             bool // the indicator's line is on screen
}

func newProgress(std stdio, w io.Writer) *progress {
	return &progress{w: w, colour: std.colour(w), indicator: std.terminal(w)}
}

// say prints a line of its own.
func (p *progress) say(s string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.printHeader()
	p.closeFold()
	fmt.Fprintln(p.w, s)
}

// closeFold ends the line of folded cases, if one is open.
func (p *progress) closeFold() {
	switch {
	case p.folded == 0:
	case p.foldKey == "control":
		fmt.Fprintf(p.w, " %s, to %d/%d (listed below)\n", plural(p.folded, "case"), p.foldTo, p.total)
	default:
		fmt.Fprintf(p.w, " %s, to %d/%d\n", plural(p.folded, "case"), p.foldTo, p.total)
	}
	p.folded, p.foldKey = 0, ""
}

// printHeader prints the header once.
func (p *progress) printHeader() {
	if p.header != "" {
		fmt.Fprintln(p.w, p.header)
		p.header = ""
	}
}

// result prints a case's line, "[12/55] PASS  notify/…", the control's
// with 0; a failed control is followed by its likely cause, so that the
// cause comes first.
func (p *progress) result(r conformance.Result) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.printHeader()
	width := len(fmt.Sprint(p.total))
	i := 0
	if r.ID != conformance.ControlID {
		p.n++
		i = p.n
	}
	key := ""
	switch {
	case i > 0 && p.symptom != "" && r.Symptom == p.symptom:
		key = "control"
	case r.Status == conformance.Skip && r.Message == p.lastSkip:
		key = "skip"
	}
	if key != "" {
		if p.foldKey != key {
			p.closeFold()
			lead := "the same as the control:"
			if key == "skip" {
				lead = p.paint(conformance.Skip, "SKIP") + "  likewise:"
			}
			fmt.Fprintf(p.w, "[%*d/%d] %s ", width, i, p.total, lead)
			p.foldKey = key
		}
		fmt.Fprint(p.w, p.paint(r.Status, "."))
		p.folded, p.foldTo = p.folded+1, i
		return
	}
	p.closeFold()
	label, rest, _ := strings.Cut(conformance.FormatLine(r), " ")
	fmt.Fprintf(p.w, "[%*d/%d] %s %s\n", width, i, p.total, p.paint(r.Status, label), rest)
	if r.Status == conformance.Skip {
		p.lastSkip = r.Message
	}
	if r.ID == conformance.ControlID && r.Failed() {
		p.symptom = r.Symptom
		if r.Cause != "" {
			fmt.Fprintf(p.w, "%*s  likely cause: %s\n", 2*width+3, "", r.Cause)
		}
	}
}

// details prints what follows the case lines.
func (p *progress) details(rep conformance.Report) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	p.printHeader()
	p.closeFold()
	return rep.WriteDetails(p.w)
}

// The colours of the statuses (ANSI SGR).
var colours = map[conformance.Status]string{
	conformance.Pass: "32", conformance.Warn: "33", conformance.Fail: "31", conformance.Skip: "2",
	conformance.ExpectedFail: "33", conformance.Inconclusive: "35", conformance.Interrupted: "1;31",
}

func (p *progress) paint(st conformance.Status, label string) string {
	if !p.colour || colours[st] == "" {
		return label
	}
	return "\x1b[" + colours[st] + "m" + label + "\x1b[0m"
}

// waiting shows, on a terminal, what the run waits for, with the time
// waited, until called with "".
func (p *progress) waiting(what string) {
	if !p.indicator {
		return
	}
	p.mu.Lock()
	stop, stopped := p.stop, p.stopped
	p.stop, p.stopped = nil, nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-stopped
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.clear()
	if what == "" {
		return
	}
	p.printHeader()
	p.closeFold()
	p.waitWhat, p.waitSince = what, time.Now()
	p.stop, p.stopped = make(chan struct{}), make(chan struct{})
	go p.tick(p.stop, p.stopped)
}

// tick redraws the indicator until stop is closed.
func (p *progress) tick(stop, stopped chan struct{}) {
	defer close(stopped)
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	for {
		p.mu.Lock()
		fmt.Fprintf(p.w, "\r\x1b[K… waiting for %s (%s)", p.waitWhat, time.Since(p.waitSince).Truncate(time.Second))
		p.shown = true
		p.mu.Unlock()
		select {
		case <-stop:
			return
		case <-t.C:
		}
	}
}

// clear erases the indicator's line, if it is shown.
func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.shown = false
	}
}
