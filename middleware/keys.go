package middleware

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
)

// KeyResolver finds the paySignKey (appKey) of an official account, so one
// endpoint can serve several accounts.
//
// PaySignKey returns an error wrapping ErrUnknownApp when it knows no such
// AppId (the middleware answers 403); any other error is taken as a
// transient failure (503, so the sender retries later). A nil error with an
// empty key is refused too (fail closed, 500). Implementations must be safe
// for concurrent use and must not put the key in their errors.
type KeyResolver interface {
	PaySignKey(ctx context.Context, appID string) (string, error)
}

// StaticKeys is a KeyResolver from a fixed map AppId → paySignKey. The map
// must not be modified once the middleware is serving.
type StaticKeys map[string]string

// PaySignKey implements KeyResolver. An AppId absent from the map is
// ErrUnknownApp; one mapped to "" is refused by the middleware.
func (k StaticKeys) PaySignKey(_ context.Context, appID string) (string, error) {
	key, ok := k[appID]
	if !ok {
		return "", ErrUnknownApp
	}
	return key, nil
}

// ValidateKeys implements KeysValidator: it refuses an empty map, a blank
// AppId and an empty or blank paySignKey — what
// StaticKeys{os.Getenv("APPID"): os.Getenv("PAYSIGNKEY")} holds when the
// variables are unset. The error names the AppId, never the key.
func (k StaticKeys) ValidateKeys() error {
	if len(k) == 0 {
		return errors.New("StaticKeys is empty: give at least one AppId and its paySignKey")
	}
	ids := make([]string, 0, len(k))
	for id := range k {
		ids = append(ids, id)
	}
	sort.Strings(ids) // the same error every time
	for _, id := range ids {
		if strings.TrimSpace(id) == "" {
			return errors.New("StaticKeys has an empty AppId: is the variable holding it set?")
		}
		if strings.TrimSpace(k[id]) == "" {
			return fmt.Errorf("StaticKeys has no paySignKey for AppId %q: is the variable holding it set?", id)
		}
	}
	return nil
}

// KeyFunc adapts a function to a KeyResolver, for keys kept in a database or
// a secret manager.
type KeyFunc func(ctx context.Context, appID string) (string, error)

// PaySignKey implements KeyResolver by calling f.
func (f KeyFunc) PaySignKey(ctx context.Context, appID string) (string, error) {
	return f(ctx, appID)
}
