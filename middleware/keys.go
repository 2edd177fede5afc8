package middleware

import "context"

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

// KeyFunc adapts a function to a KeyResolver, for keys kept in a database or
// a secret manager.
type KeyFunc func(ctx context.Context, appID string) (string, error)

// PaySignKey implements KeyResolver by calling f.
func (f KeyFunc) PaySignKey(ctx context.Context, appID string) (string, error) {
	return f(ctx, appID)
}
