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

// resume loads the saved state into the fake when the file exists. A
// file that does not load whole (cut short, say) is refused and left as
// it is, never saved over: the fake does not start, and the error names
// the file to restore, FILE.prev, the save before it.
func (f mockFiles) resume(ctx context.Context, srv *mockwechat.Server) (bool, error) {
	if f.state == "" {
		return false, nil
	}
	prev := previousState(f.state)
	sc, err := mockwechat.LoadSnapshot(f.state)
	if errors.Is(err, fs.ErrNotExist) {
		if _, perr := os.Stat(prev); perr == nil {
			return false, fmt.Errorf("--state %s does not exist, but %s, the save before the last, does: move it to %s to resume from it, or remove it to start afresh", f.state, prev, f.state)
		}
		return false, nil
	}
	if err == nil {
		err = f.samePayIdentity(sc, srv)
	}
	if err == nil {
		err = srv.Restore(ctx, sc)
	}
	if err != nil {
		hint := "move it away to start afresh"
		if _, perr := os.Stat(prev); perr == nil {
			hint = fmt.Sprintf("it is left as it is; the save before it is %s: move that to %s to resume from it, or move both away to start afresh", prev, f.state)
		}
		return false, fmt.Errorf("--state %s: %w (%s)", f.state, err, hint)
	}
	return true, nil
}

// payKeysDir is where --state keeps the Complaints 2.0 identity when
// --pay-keys is not given: the directory FILE.paykeys beside the state,
// written by the first run as --pay-keys writes its directory (mode 0700,
// its files 0600) and loaded by the next, so that the merchant's keys, the
// fake's public key and their ids stay what the merchant configured. The
// state file itself holds no private key (a snapshot never does): only
// the merchants' public keys and APIv3 keys, as the banner shows them. ""
// without --state.
func (f mockFiles) payKeysDir() string {
	if f.state == "" {
		return ""
	}
	return f.state + ".paykeys"
}

// samePayIdentity refuses to resume a state saved by a fake of another
// Complaints 2.0 identity (its keys directory lost, or another given):
// the fake would go on with keys the merchant never configured, and
// refuse every request it signs, with no word of why.
func (f mockFiles) samePayIdentity(sc *mockwechat.Scenario, srv *mockwechat.Server) error {
	m, ok := srv.PayMerchant()
	if !ok || sc.Pay == nil {
		return nil
	}
	for _, saved := range sc.Pay.Merchants {
		if saved.MchID == m.MchID && saved.SerialNo != "" && saved.SerialNo != m.SerialNo {
			return fmt.Errorf("its Complaints 2.0 merchant %s was saved with the API certificate serial %s, and the fake's keys (%s) have %s: a merchant configured with the saved keys would be refused. Give --pay-keys the directory the state was saved with (without --pay-keys: %s)", m.MchID, saved.SerialNo, m.KeysDir, m.SerialNo, f.payKeysDir())
		}
	}
	return nil
}

// previousState is where the state file's previous save is kept.
func previousState(path string) string { return path + ".prev" }

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
		err = saveState(s.path, b)
	}
	if err != nil {
		fmt.Fprintf(s.warn, "mockwechat: saving --state %s: %v\n", s.path, err)
	}
	return err
}

// saveState replaces the state file at path by data, mode 0600 whatever
// the umask (it holds the accounts' secrets and live tokens), the file it
// replaces kept as path.prev; a crash at any moment leaves whole files.
func saveState(path string, data []byte) error {
	return replaceFile(path, data, 0o600, previousState(path))
}

// writeFileAtomic replaces path by data, mode 0644, so that a crash at
// any moment leaves the old file or the new one, never a torn one.
func writeFileAtomic(path string, data []byte) error {
	return replaceFile(path, data, 0o644, "")
}

// replaceFile replaces path by data: a temporary file beside it, written,
// synced and given mode perm, renamed over it, the directory synced. With
// prev, the file replaced is kept there first: a hard link, so that path
// stays in place until the new file replaces it (a copy where the file
// system has no links).
func replaceFile(path string, data []byte, perm os.FileMode, prev string) (err error) {
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
	if err = tmp.Chmod(perm); err != nil { // the umask does not apply
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if prev != "" {
		if err = keepPrevious(path, prev, perm); err != nil {
			return fmt.Errorf("keeping the previous save as %s: %w", prev, err)
		}
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, derr := os.Open(dir); derr == nil {
		d.Sync() // the renames themselves reach the disk
		d.Close()
	}
	return nil
}

// keepPrevious makes prev the file now at path, mode perm; nothing when
// there is none.
func keepPrevious(path, prev string, perm os.FileMode) error {
	if err := os.Chmod(path, perm); errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	link := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".tmp-prev")
	os.Remove(link) // a crash's leftover
	if err := os.Link(path, link); err != nil {
		b, rerr := os.ReadFile(path)
		if rerr != nil {
			return err
		}
		return replaceFile(prev, b, perm, "")
	}
	return os.Rename(link, prev)
}

// mockFileFlags declares --scenario, --state, --state-every and
// --ready-file.
func mockFileFlags(fs *flag.FlagSet) *mockFiles {
	f := &mockFiles{}
	fs.StringVar(&f.scenario, "scenario", "", "start from this scenario `file` (YAML or JSON, docs/scenario.schema.json); the clock is then virtual, and POST /_mock/reset comes back to it")
	fs.StringVar(&f.state, "state", "", "resume the world saved in this `file` when it exists, Complaints 2.0 included; save it there on SIGINT/SIGTERM and every --state-every while it changes (atomically; YAML, or JSON for *.json; mode 0600, as it holds the accounts' secrets, live tokens and APIv3 keys; the save before the last kept as FILE.prev); without --pay-keys, the Complaints 2.0 keys are kept in FILE.paykeys")
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
