package apiv3

import (
	"errors"
	"strings"
	"testing"
)

func TestAEAD(t *testing.T) {
	a, err := NewAEAD(testAPIv3Key)
	if err != nil {
		t.Fatal(err)
	}
	plain := []byte(`{"complaint_id":"200201820200101080076610000","action_type":"CREATE_COMPLAINT"}`)
	r, err := a.SealResource("complaint", "", plain, nil)
	if err != nil {
		t.Fatal(err)
	}
	if r.Algorithm != AlgorithmAEADAES256GCM || len(r.Nonce) != NonceSize || r.OriginalType != "complaint" {
		t.Fatalf("resource %+v", r)
	}
	got, err := a.OpenResource(&r)
	if err != nil || string(got) != string(plain) {
		t.Fatalf("OpenResource = %s, %v", got, err)
	}
	other, _ := NewAEAD(strings.Repeat("k", 32))
	flip := func(s string) string { // flip one bit of the Base64 payload
		b := []byte(s)
		if b[0] == 'A' {
			b[0] = 'B'
		} else {
			b[0] = 'A'
		}
		return string(b)
	}
	for _, tc := range []struct {
		name string
		a    *AEAD
		r    Resource
		err  error
	}{
		{"another APIv3 key", other, r, ErrDecrypt},
		{"tag broken", a, Resource{Algorithm: r.Algorithm, Nonce: r.Nonce, Ciphertext: r.Ciphertext[:len(r.Ciphertext)-4] + "AAA=", AssociatedData: r.AssociatedData}, ErrDecrypt},
		{"ciphertext altered", a, Resource{Algorithm: r.Algorithm, Nonce: r.Nonce, Ciphertext: flip(r.Ciphertext)}, ErrDecrypt},
		{"associated data altered", a, Resource{Algorithm: r.Algorithm, Nonce: r.Nonce, Ciphertext: r.Ciphertext, AssociatedData: "complaint"}, ErrDecrypt},
		{"nonce altered", a, Resource{Algorithm: r.Algorithm, Nonce: "000000000000", Ciphertext: r.Ciphertext}, ErrDecrypt},
		{"nonce too short (no panic)", a, Resource{Algorithm: r.Algorithm, Nonce: "short", Ciphertext: r.Ciphertext}, ErrDecrypt},
		{"nonce too long (no panic)", a, Resource{Algorithm: r.Algorithm, Nonce: strings.Repeat("n", 64), Ciphertext: r.Ciphertext}, ErrDecrypt},
		{"shorter than the tag", a, Resource{Algorithm: r.Algorithm, Nonce: r.Nonce, Ciphertext: "AAAA"}, ErrDecrypt},
		{"not Base64", a, Resource{Algorithm: r.Algorithm, Nonce: r.Nonce, Ciphertext: "%%%%"}, ErrDecrypt},
		{"other algorithm", a, Resource{Algorithm: "AEAD_SM4_GCM", Nonce: r.Nonce, Ciphertext: r.Ciphertext}, ErrAlgorithm},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tc.a.OpenResource(&tc.r); !errors.Is(err, tc.err) {
				t.Fatalf("error %v, want %v", err, tc.err)
			}
		})
	}
}

func TestNewAEADKeys(t *testing.T) {
	for _, k := range []string{"", "short", strings.Repeat("k", 31), strings.Repeat("k", 33)} {
		if _, err := NewAEAD(k); err == nil {
			t.Errorf("NewAEAD(%d characters) accepted", len(k))
		} else if strings.Contains(err.Error(), k) && k != "" {
			t.Errorf("the error quotes the key: %v", err)
		}
	}
	for _, n := range []int{16, 24, 32} {
		if _, err := NewAEAD(strings.Repeat("k", n)); err != nil {
			t.Errorf("NewAEAD(%d characters): %v", n, err)
		}
	}
}

func TestAppendOpenReusesTheBuffer(t *testing.T) {
	a, _ := NewAEAD(testAPIv3Key)
	r, _ := a.SealResource("", "", []byte("hello"), nil)
	buf := make([]byte, 0, 256)
	out, err := a.AppendOpen(buf, r.Nonce, r.AssociatedData, r.Ciphertext)
	if err != nil || string(out) != "hello" || &out[:1][0] != &buf[:1][0] {
		t.Fatalf("AppendOpen = %q, %v (or it did not reuse the buffer)", out, err)
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = a.AppendOpen(buf, r.Nonce, r.AssociatedData, r.Ciphertext) }); n > 0 {
		t.Errorf("AppendOpen with room allocates %v times", n)
	}
}
