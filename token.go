package payfeedback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// DefaultRefreshMargin is how long before its expiry a cached access_token
// is renewed (ClientOptions.RefreshMargin). WeChat answers expires_in 7200
// (two hours); with this margin a token is renewed after 1 h 55 min, so no
// call ever carries a token that expires in flight. When a token lives less
// than twice the margin (a fake configured with short tokens), the margin is
// half its lifetime instead.
const DefaultRefreshMargin = 5 * time.Minute

// DefaultLeaseTTL is how long a client holds the refresh lease of a
// TokenStore at most (ClientOptions.LeaseTTL). The token request itself is
// bounded by the same duration, so a lease never outlives the refresh it
// protects; an instance that dies holding the lease delays the others by
// this much at most.
const DefaultLeaseTTL = 30 * time.Second

// Token is an access_token and its lifetime.
//
// Its String, GoString and LogValue methods never show Value: a token
// printed or logged by mistake does not leak.
type Token struct {
	// Value is the access_token (up to 512 characters).
	Value string
	// ObtainedAt is when the token was requested (the client's clock).
	ObtainedAt time.Time
	// ExpiresAt is ObtainedAt plus the expires_in WeChat answered.
	ExpiresAt time.Time
}

// IsZero reports whether t holds no token.
func (t Token) IsZero() bool { return t.Value == "" }

// Expired reports whether t is empty or past its ExpiresAt at now.
func (t Token) Expired(now time.Time) bool {
	return t.Value == "" || !now.Before(t.ExpiresAt)
}

// Fresh reports whether t can be used at now without renewing it: it is not
// empty and now is before ExpiresAt minus margin (or minus half the token's
// lifetime, when that is shorter; see DefaultRefreshMargin).
func (t Token) Fresh(now time.Time, margin time.Duration) bool {
	if t.Value == "" {
		return false
	}
	if life := t.ExpiresAt.Sub(t.ObtainedAt); life > 0 && margin > life/2 {
		margin = life / 2
	}
	return now.Before(t.ExpiresAt.Add(-margin))
}

// String describes the token without its value.
func (t Token) String() string {
	if t.Value == "" {
		return "Token(none)"
	}
	return fmt.Sprintf("Token(%d chars, expires %s)", len(t.Value), t.ExpiresAt.UTC().Format(time.RFC3339))
}

// GoString is String, so %#v does not print the value either.
func (t Token) GoString() string { return t.String() }

// LogValue implements slog.LogValuer without the value.
func (t Token) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Int("len", len(t.Value)),
		slog.Time("expires_at", t.ExpiresAt),
	)
}

// TokenStore holds the current access_token of each appid and a refresh
// lease, so that several instances of a service share one token instead of
// invalidating each other's (a new WeChat token invalidates the previous one
// after five minutes). Keep the store as close as the instances can share:
// the in-memory MemoryTokenStore for one process, a database or cache for a
// fleet.
//
// The contract, which every implementation must meet (package
// tokenstoretest checks any implementation against it; the package
// redisstore has one on Redis):
//
//   - Load returns the token last stored for appID, or the zero Token and a
//     nil error when there is none. Tokens of different appids are
//     independent.
//   - Store replaces the token of appID.
//   - TryLease reports whether holder holds the refresh lease of appID after
//     the call: true when the lease was free, expired, or already held by the
//     same holder (whose lease then lasts ttl from now again); false while
//     another holder's lease runs. Concurrent TryLease calls for one appid
//     with different holders grant it to exactly one of them. A lease expires
//     ttl after it was taken, judged by the store's own clock.
//   - ReleaseLease frees the lease of appID if holder holds it, and does
//     nothing otherwise (a late release never frees somebody else's lease).
//   - Every method honours its context and is safe for concurrent use.
//
// A client refreshes only while it holds the lease, and only when the stored
// token is still the one it found stale (compare-and-refresh); a client that
// cannot get the lease polls Load with backoff until the holder has stored
// the new token.
type TokenStore interface {
	Load(ctx context.Context, appID string) (Token, error)
	Store(ctx context.Context, appID string, tok Token) error
	TryLease(ctx context.Context, appID, holder string, ttl time.Duration) (bool, error)
	ReleaseLease(ctx context.Context, appID, holder string) error
}

// MemoryTokenStoreOptions configures a MemoryTokenStore.
type MemoryTokenStoreOptions struct {
	// Now is the clock that judges lease expiry; nil means time.Now. Give
	// the same virtual clock as the clients' in tests.
	Now func() time.Time
}

// MemoryTokenStore is the in-memory TokenStore: one process, any number of
// clients. Its zero value is ready to use (with the real clock). A Client
// without a TokenStore gets its own.
type MemoryTokenStore struct {
	now func() time.Time

	mu     sync.Mutex
	tokens map[string]Token
	leases map[string]memoryLease
}

type memoryLease struct {
	holder string
	until  time.Time
}

// NewMemoryTokenStore returns an empty store.
func NewMemoryTokenStore(opts MemoryTokenStoreOptions) *MemoryTokenStore {
	return &MemoryTokenStore{now: opts.Now}
}

func (s *MemoryTokenStore) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// Load implements TokenStore.
func (s *MemoryTokenStore) Load(ctx context.Context, appID string) (Token, error) {
	if err := ctx.Err(); err != nil {
		return Token{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.tokens[appID], nil
}

// Store implements TokenStore.
func (s *MemoryTokenStore) Store(ctx context.Context, appID string, tok Token) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		s.tokens = make(map[string]Token)
	}
	s.tokens[appID] = tok
	return nil
}

// TryLease implements TokenStore.
func (s *MemoryTokenStore) TryLease(ctx context.Context, appID, holder string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[appID]; ok && l.holder != holder && now.Before(l.until) {
		return false, nil
	}
	if s.leases == nil {
		s.leases = make(map[string]memoryLease)
	}
	s.leases[appID] = memoryLease{holder: holder, until: now.Add(ttl)}
	return true, nil
}

// ReleaseLease implements TokenStore.
func (s *MemoryTokenStore) ReleaseLease(ctx context.Context, appID, holder string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[appID]; ok && l.holder == holder {
		delete(s.leases, appID)
	}
	return nil
}

// tokenFlight is one refresh in progress in a Client: callers that need a
// token while it runs wait for it instead of starting their own
// (single-flight). It runs on a context detached from the caller that
// started it and is cancelled when every waiter has given up.
type tokenFlight struct {
	done    chan struct{}
	cancel  context.CancelFunc
	stale   string // the rejected token the refresh replaces, "" if none
	waiters int
	tok     Token
	err     error
}

// Polling of a store whose lease another instance holds.
const (
	leasePollMin = 10 * time.Millisecond
	leasePollMax = 500 * time.Millisecond
)

// token returns a usable access_token. stale is a token the caller saw
// rejected (40001/42001), "" otherwise: a stale token is not returned by a
// refresh that did not know it was rejected, and is replaced only if it is
// still the current one (compare-and-refresh).
func (c *Client) token(ctx context.Context, stale string) (Token, error) {
	for {
		tok, knew, err := c.awaitFlight(ctx, stale)
		if err != nil || stale == "" || tok.Value != stale || knew {
			// A refresh that knew the token was rejected and still got it
			// back from WeChat returns it: asking again would loop.
			return tok, err
		}
		// We joined a refresh started by a caller that did not know this
		// token was rejected, and it kept it: refresh again, knowing.
	}
}

// awaitFlight returns the cached token if it is fresh and not stale, or
// joins (or starts) the client's refresh and waits for it within ctx. knew
// reports whether that refresh was started knowing stale.
func (c *Client) awaitFlight(ctx context.Context, stale string) (tok Token, knew bool, err error) {
	c.mu.Lock()
	if cur := c.cached; cur.Value != stale && cur.Fresh(c.now(), c.margin) {
		c.mu.Unlock()
		return cur, false, nil
	}
	f := c.flight
	if f == nil {
		fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
		f = &tokenFlight{done: make(chan struct{}), cancel: cancel, stale: stale}
		c.flight = f
		go c.runFlight(fctx, f, stale)
	}
	f.waiters++
	c.mu.Unlock()

	select {
	case <-f.done:
		return f.tok, stale != "" && f.stale == stale, f.err
	case <-ctx.Done():
		c.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			// Nobody wants this refresh any more: stop it, and let the next
			// caller start a fresh one rather than join a dying one.
			f.cancel()
			if c.flight == f {
				c.flight = nil
			}
		}
		c.mu.Unlock()
		return Token{}, false, fmt.Errorf("payfeedback: waiting for an access_token: %w", ctx.Err())
	}
}

func (c *Client) runFlight(ctx context.Context, f *tokenFlight, stale string) {
	defer f.cancel()
	tok, err := c.refresh(ctx, stale)
	c.mu.Lock()
	if err == nil {
		c.cached = tok
	}
	if c.flight == f {
		c.flight = nil
	}
	f.tok, f.err = tok, err
	c.mu.Unlock()
	close(f.done)
}

// refresh finds or makes a token through the store: use the stored one if
// it is fresh and not the stale one; otherwise take the lease and fetch a
// new one; otherwise wait for the lease holder's.
func (c *Client) refresh(ctx context.Context, stale string) (Token, error) {
	wait := leasePollMin
	for {
		cur, err := c.store.Load(ctx, c.appID)
		if err != nil {
			return Token{}, fmt.Errorf("payfeedback: loading the access_token from the TokenStore: %w", err)
		}
		if cur.Value != stale && cur.Fresh(c.now(), c.margin) {
			return cur, nil
		}
		ok, err := c.store.TryLease(ctx, c.appID, c.holder, c.leaseTTL)
		if err != nil {
			return Token{}, fmt.Errorf("payfeedback: taking the token refresh lease: %w", err)
		}
		if ok {
			return c.refreshLeased(ctx, stale)
		}
		// Another instance is refreshing. Its predecessor, renewed ahead of
		// expiry, is still good meanwhile (unless it is the rejected one).
		if cur.Value != stale && !cur.Expired(c.now()) {
			return cur, nil
		}
		c.log.LogAttrs(ctx, slog.LevelDebug, "waiting for another instance to refresh the access_token",
			slog.String("appid", c.appID), slog.Duration("poll", wait))
		if err := sleepCtx(ctx, jitter(wait)); err != nil {
			return Token{}, fmt.Errorf("payfeedback: waiting for another instance to refresh the access_token: %w", err)
		}
		wait = min(2*wait, leasePollMax)
	}
}

// refreshLeased runs while this client holds the lease.
func (c *Client) refreshLeased(ctx context.Context, stale string) (Token, error) {
	defer func() {
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := c.store.ReleaseLease(rctx, c.appID, c.holder); err != nil {
			c.log.LogAttrs(ctx, slog.LevelWarn, "releasing the token refresh lease failed; others wait for it to expire",
				slog.String("appid", c.appID), slog.String("error", err.Error()))
		}
	}()
	// Someone may have stored a new token between our Load and TryLease.
	cur, err := c.store.Load(ctx, c.appID)
	if err != nil {
		return Token{}, fmt.Errorf("payfeedback: loading the access_token from the TokenStore: %w", err)
	}
	if cur.Value != stale && cur.Fresh(c.now(), c.margin) {
		return cur, nil
	}
	fctx, cancel := context.WithTimeout(ctx, c.leaseTTL)
	defer cancel()
	tok, err := c.fetchToken(fctx)
	if err != nil {
		return Token{}, err
	}
	if err := c.store.Store(ctx, c.appID, tok); err != nil {
		// The token is good; other instances will fetch their own.
		c.log.LogAttrs(ctx, slog.LevelWarn, "storing the new access_token failed; other instances will refresh on their own",
			slog.String("appid", c.appID), slog.String("error", err.Error()))
	}
	c.log.LogAttrs(ctx, slog.LevelInfo, "access_token refreshed",
		slog.String("appid", c.appID), slog.Time("expires_at", tok.ExpiresAt))
	return tok, nil
}

// tokenAnswer is the body of GET /cgi-bin/token (see docs/protocol.md).
type tokenAnswer struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

// fetchToken asks WeChat for a new access_token.
func (c *Client) fetchToken(ctx context.Context) (Token, error) {
	const op = "getting an access_token"
	q := url.Values{
		"grant_type": {"client_credential"},
		"appid":      {c.appID},
		"secret":     {c.secret},
	}
	start := c.now()
	var ans tokenAnswer
	if err := c.do(ctx, op, http.MethodGet, PathToken, q, "", nil, &ans); err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Code != CodeSystemError {
			return Token{}, fmt.Errorf("%w (appid %s: check the AppID and Secret)", err, c.appID)
		}
		return Token{}, err
	}
	if ans.AccessToken == "" || ans.ExpiresIn <= 0 {
		return Token{}, fmt.Errorf("payfeedback: %s: the answer has no access_token or no positive expires_in", op)
	}
	return Token{
		Value:      ans.AccessToken,
		ObtainedAt: start,
		ExpiresAt:  start.Add(time.Duration(ans.ExpiresIn) * time.Second),
	}, nil
}
