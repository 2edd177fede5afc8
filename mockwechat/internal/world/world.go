package world

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// Sentinel errors, usable with errors.Is. The admin API maps them to HTTP
// 404, 409 and 400; events.ErrClosed (the world closed) to 503. Their
// text is bare ("not found"): every error wraps one after saying what was
// not found, "mockwechat: complaint 1524: not found".
var (
	// ErrNotFound: no such account, user, order or complaint.
	ErrNotFound = errors.New("not found")
	// ErrState: the operation is not allowed in the complaint's state.
	ErrState = errors.New("not allowed in this state")
	// ErrAmbiguous: an id prefix names several complaints.
	ErrAmbiguous = errors.New("ambiguous")
)

// Refused is the API's refusal of a call: an errcode and why.
type Refused struct {
	Code payfeedback.ErrorCode
	Hint string
	// Silent: answer nothing at all (a news message beyond the limit,
	// when the overflow is silent).
	Silent bool
}

func (r *Refused) Error() string {
	return fmt.Sprintf("errcode %d: %s", int(r.Code), r.Hint)
}

func refuse(code payfeedback.ErrorCode, hint string) error { return &Refused{Code: code, Hint: hint} }

// Config are the rules of the world, defaults resolved by the caller.
type Config struct {
	TokenTTL   time.Duration
	TokenGrace time.Duration // 0: none
	// TokenCallsPerDay is the default daily token quota of an account; 0:
	// unlimited.
	TokenCallsPerDay int
	MessageWindow    time.Duration
	NewsLimit        int
	NewsSilent       bool // beyond NewsLimit: no answer at all
	MediaTTL         time.Duration
	InboxSize        int
	MaxMedia         int
	EvidenceWindow   time.Duration
	// Seed makes ids reproducible; 0: random.
	Seed uint64
}

// World is the fake's state: accounts, users, orders, complaints, tokens,
// media and inboxes, and the complaint state machine. It knows no HTTP and
// no push engine: transitions return the Effects they cause.
//
// Lock order: World.mu is a leaf. Every method takes it with defer and
// calls nothing outside the world while holding it, but the clock (now),
// which takes only its own lock. NewValue's stream has its own lock, never
// taken while World.mu is held.
type World struct {
	cfg Config
	now func() time.Time

	mu         sync.Mutex // guards the fields below
	closed     bool
	accounts   map[string]*AccountState
	users      map[userKey]*user
	orders     map[string]*OrderState
	complaints map[string]*complaint
	filed      []*complaint // in filing order: filed[i].seq == i+1
	tokens     map[string]*Token
	media      mediaStore
	pcg        *rand.PCG
	rng        *rand.Rand

	values *values // its own lock: see NewValue
}

type userKey struct{ appID, openID string }

// New returns an empty world on the clock now.
func New(cfg Config, now func() time.Time) *World {
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	w := &World{cfg: cfg, now: now, values: newValues()}
	w.reset(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return w
}

// reset empties the world (w.mu held, or w not shared yet).
func (w *World) reset(pcg *rand.PCG) {
	w.accounts = make(map[string]*AccountState)
	w.users = make(map[userKey]*user)
	w.orders = make(map[string]*OrderState)
	w.complaints = make(map[string]*complaint)
	w.filed = nil
	w.tokens = make(map[string]*Token)
	w.media = newMediaStore(w.cfg.MaxMedia)
	w.pcg = pcg
	w.rng = rand.New(pcg)
}

// Close makes every later transition fail with events.ErrClosed.
func (w *World) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
}

// lock takes the world's lock for a transition; it fails once closed.
// The caller defers w.mu.Unlock() when it succeeds.
func (w *World) lock() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return events.ErrClosed
	}
	return nil
}

// Ids: feedback ids are 19 or 20 decimal digits, often beyond int64 as
// real ones are; transaction ids 28 digits; openids "o" and 27 URL-safe
// characters. All come from the world's seeded generator (w.mu held).

func (w *World) newFeedbackID() string {
	for {
		v := 1_000_000_000_000_000_000 + w.rng.Uint64N(^uint64(0)-1_000_000_000_000_000_000)
		id := strconv.FormatUint(v, 10)
		if _, ok := w.complaints[id]; !ok {
			return id
		}
	}
}

func (w *World) newTransID() string {
	for {
		b := make([]byte, 0, 28)
		b = append(b, '1')
		for len(b) < 28 {
			b = append(b, byte('0'+w.rng.IntN(10)))
		}
		id := string(b)
		if _, ok := w.orders[id]; !ok {
			return id
		}
	}
}

const openIDAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func (w *World) newOpenID() string {
	b := make([]byte, 28)
	b[0] = 'o'
	for i := 1; i < len(b); i++ {
		b[i] = openIDAlphabet[w.rng.IntN(len(openIDAlphabet))]
	}
	return string(b)
}
