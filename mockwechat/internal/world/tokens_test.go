package world

import (
	"sync"
	"testing"
)

// TestNewValue: a value is 64 URL-safe characters; values do not repeat,
// not between two draws nor between two worlds of the same Seed (a token
// is a secret: Seed makes ids reproducible, never tokens); drawing from
// many goroutines at once is safe (run under -race).
func TestNewValue(t *testing.T) {
	a, _ := newWorld(t)
	b, _ := newWorld(t) // the same Seed
	if va, vb := a.NewValue(), b.NewValue(); va == vb {
		t.Fatalf("two worlds of one Seed drew the same value %q", va)
	}
	const goroutines, each = 4, 500
	seen := make(map[string]bool, goroutines*each)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range goroutines {
		wg.Go(func() {
			for range each {
				v := a.NewValue()
				mu.Lock()
				seen[v] = true
				mu.Unlock()
				if len(v) != 64 {
					t.Errorf("value %q: %d characters, want 64", v, len(v))
					return
				}
				for _, r := range v {
					if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
						t.Errorf("value %q holds %q, not URL-safe", v, r)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != goroutines*each {
		t.Fatalf("%d distinct values of %d drawn", len(seen), goroutines*each)
	}
}

// TestNewValueAllocs: a value is one allocation, its string.
func TestNewValueAllocs(t *testing.T) {
	w, _ := newWorld(t)
	if n := testing.AllocsPerRun(100, func() { _ = w.NewValue() }); n != 1 {
		t.Fatalf("NewValue: %v allocations, want 1", n)
	}
}
