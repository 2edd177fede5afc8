package complaints

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
)

// Tiny images of each format: their first bytes are what matters.
var (
	jpeg = []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00")
	png  = []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
	bmp  = []byte("BM\x3a\x00\x00\x00")
)

func TestNewUploadMeta(t *testing.T) {
	for name, content := range map[string][]byte{"a.jpg": jpeg, "A.JPG": jpeg, "shot.png": png, "scan.BMP": bmp, strings.Repeat("图", 124) + ".jpg": jpeg} {
		m, err := NewUploadMeta(name, content)
		sum := sha256.Sum256(content)
		if err != nil || m.Filename != name || m.SHA256 != hex.EncodeToString(sum[:]) {
			t.Errorf("NewUploadMeta(%q) = %+v, %v", name, m, err)
		}
	}
	big := append(append([]byte{}, png...), make([]byte, MaxImageSize-len(png))...)
	if _, err := NewUploadMeta("big.png", big); err != nil {
		t.Errorf("an image of MaxImageSize bytes: %v", err)
	}
	for _, c := range []struct {
		name    string
		content []byte
		field   string
	}{
		{"", jpeg, "filename"},
		{"a.gif", []byte("GIF89a"), "filename"},
		{"a.jpeg", jpeg, "filename"},
		{"a", jpeg, "filename"},
		{strings.Repeat("图", 125) + ".jpg", jpeg, "filename"},
		{"a.jpg", nil, "file"},
		{"a.jpg", png, "file"},
		{"a.png", []byte("not an image"), "file"},
		{"big.png", append(big, 0), "file"},
	} {
		_, err := NewUploadMeta(c.name, c.content)
		var v *ValidationError
		if !errors.As(err, &v) || v.Field != c.field {
			t.Errorf("NewUploadMeta(%.20q, %d bytes) = %v, want a *ValidationError on %s", c.name, len(c.content), err, c.field)
		}
	}
}

func TestUploadMetaJSON(t *testing.T) {
	m := UploadMeta{Filename: "filea.jpg", SHA256: "hjkahkjsjkfsjk78687dhjahdajhk"}
	if got := string(m.JSON()); got != `{"filename":"filea.jpg","sha256":"hjkahkjsjkfsjk78687dhjahdajhk"}` {
		t.Errorf("JSON = %s", got)
	}
}
