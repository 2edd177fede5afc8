package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// defaultStateEvery is how often `payfeedback mock --state` saves the
// world while it changes.
const defaultStateEvery = 2 * time.Second

// mockFiles are the files of `payfeedback mock`: the scenario it starts
// from, the state it resumes and saves, and the file it writes its URL to
// once ready.
type mockFiles struct {
	scenario   string
	state      string
	stateEvery time.Duration
	readyFile  string
}

// load reads the scenario (nil without --scenario), checking --state's
// directory can take the file.
func (f mockFiles) load() (*mockwechat.Scenario, error) {
	if f.state != "" {
		if fi, err := os.Stat(filepath.Dir(f.state)); err != nil || !fi.IsDir() {
			return nil, fmt.Errorf("--state %s: its directory must exist (%v)", f.state, err)
		}
	}
	if f.stateEvery <= 0 {
		return nil, fmt.Errorf("--state-every %s: want a positive Go duration such as 2s", f.stateEvery)
	}
	if f.scenario == "" {
		return nil, nil
	}
	return mockwechat.LoadScenario(f.scenario)
}

// resume loads the saved state into the fake when the file exists.
func (f mockFiles) resume(ctx context.Context, srv *mockwechat.Server) (bool, error) {
	if f.state == "" {
		return false, nil
	}
	sc, err := mockwechat.LoadScenario(f.state)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("--state: %w (move the file away to start afresh)", err)
	}
	if err := srv.Restore(ctx, sc); err != nil {
		return false, fmt.Errorf("--state %s: %w (move the file away to start afresh)", f.state, err)
	}
	return true, nil
}

// ready writes the fake's base URL to --ready-file, atomically, once it
// accepts connections.
func (f mockFiles) ready(url string) error {
	if f.readyFile == "" {
		return nil
	}
	if err := writeFileAtomic(f.readyFile, []byte(url+"\n")); err != nil {
		return fmt.Errorf("--ready-file: %w", err)
	}
	return nil
}

// notReady removes a ready file left by an earlier run, so that nobody
// takes its URL for this one's.
func (f mockFiles) notReady() error {
	if f.readyFile == "" {
		return nil
	}
	if err := os.Remove(f.readyFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("--ready-file: %w", err)
	}
	return nil
}

// saver saves the fake's world to --state every stateEvery while it
// changes, and once more at the end.
type saver struct {
	srv   *mockwechat.Server
	path  string
	every time.Duration
	warn  io.Writer
	sub   *mockwechat.Subscription
	done  chan struct{}
}

// startSaver starts saving; nil without --state.
func (f mockFiles) startSaver(ctx context.Context, srv *mockwechat.Server, warn io.Writer) *saver {
	if f.state == "" {
		return nil
	}
	// A process killed while saving leaves its temporary file behind.
	if stale, err := filepath.Glob(filepath.Join(filepath.Dir(f.state), "."+filepath.Base(f.state)+".tmp-*")); err == nil {
		for _, p := range stale {
			os.Remove(p)
		}
	}
	s := &saver{srv: srv, path: f.state, every: f.stateEvery, warn: warn, sub: srv.Subscribe(1), done: make(chan struct{})}
	go s.run(ctx)
	return s
}

func (s *saver) run(ctx context.Context) {
	defer close(s.done)
	tick := time.NewTicker(s.every)
	defer tick.Stop()
	dropped := uint64(0)
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		changed := false
	drain:
		for {
			select {
			case _, ok := <-s.sub.Events():
				if !ok {
					return
				}
				changed = true
			default:
				break drain
			}
		}
		if d := s.sub.Dropped(); d != dropped {
			changed, dropped = true, d
		}
		if changed {
			s.save()
		}
	}
}

// finish stops the ticker's saves and saves the world as it ends.
func (s *saver) finish() error {
	if s == nil {
		return nil
	}
	s.sub.Close()
	<-s.done
	return s.save()
}

func (s *saver) save() error {
	b, err := mockwechat.MarshalScenario(s.srv.Snapshot(), mockwechat.ScenarioFormat(s.path))
	if err == nil {
		err = writeFileAtomic(s.path, b)
	}
	if err != nil {
		fmt.Fprintf(s.warn, "mockwechat: saving --state %s: %v\n", s.path, err)
	}
	return err
}

// writeFileAtomic replaces path by data so that a crash at any moment
// leaves the old file or the new one, never a torn one: a temporary file
// beside it, written and synced, renamed over it, the directory synced.
func writeFileAtomic(path string, data []byte) (err error) {
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // the rename itself reaches the disk
		d.Close()
	}
	return nil
}

// mockFileFlags declares --scenario, --state, --state-every and
// --ready-file.
func mockFileFlags(fs *flag.FlagSet) *mockFiles {
	f := &mockFiles{}
	fs.StringVar(&f.scenario, "scenario", "", "start from this scenario `file` (YAML or JSON, docs/scenario.schema.json); the clock is then virtual, and POST /_mock/reset comes back to it")
	fs.StringVar(&f.state, "state", "", "resume the world saved in this `file` when it exists; save it there on SIGINT/SIGTERM and every --state-every while it changes (atomically; YAML, or JSON for *.json)")
	fs.DurationVar(&f.stateEvery, "state-every", defaultStateEvery, "how often --state is saved while the world changes (`duration`)")
	fs.StringVar(&f.readyFile, "ready-file", "", "once accepting connections, write the base URL to this `file` (removed on exit); useful with --addr 127.0.0.1:0")
	return f
}

// scenarioAccounts returns the scenario's accounts as Accounts, for the
// account flags to change; the caller writes them back.
func scenarioAccounts(sc *mockwechat.Scenario) *[]mockwechat.Account {
	out := make([]mockwechat.Account, len(sc.Accounts))
	for i, a := range sc.Accounts {
		out[i] = a.Account
	}
	return &out
}
