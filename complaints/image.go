package complaints

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"path"
	"strings"
)

// MaxImageSize is the largest image NewUploadMeta accepts: WeChat's "2M",
// read as 2,000,000 bytes (docs/complaints-v3.md, "Decisions": the smaller
// reading, so nothing accepted here is refused there).
const MaxImageSize = 2_000_000

// MaxImageFilenameLength is the longest filename of an upload, in
// characters.
const MaxImageFilenameLength = 128

// UploadMeta is the meta part of an image upload (POST
// /v3/merchant-service/images/upload): the JSON that is also what the
// request's signature covers.
type UploadMeta struct {
	// Filename ends in .jpg, .png or .bmp (any case).
	Filename string `json:"filename"`
	// SHA256 is the lower-case hex SHA-256 of the file's bytes.
	SHA256 string `json:"sha256"`
}

// NewUploadMeta checks an image before it is uploaded and returns its meta:
// filename of 1 to 128 characters ending in .jpg, .png or .bmp, content of 1
// to MaxImageSize bytes whose first bytes are those of a JPEG, PNG or BMP
// (the formats WeChat takes). The error is a *ValidationError.
func NewUploadMeta(filename string, content []byte) (UploadMeta, error) {
	const request = "image upload"
	if err := checkText("filename", filename, true, MaxImageFilenameLength); err != nil {
		return UploadMeta{}, err.in(request)
	}
	ext := strings.ToLower(path.Ext(filename))
	want := map[string]string{".jpg": "JPEG", ".png": "PNG", ".bmp": "BMP"}[ext]
	switch {
	case want == "" && ext == ".jpeg":
		return UploadMeta{}, (&fieldError{"filename", fmt.Sprintf("%q: name a JPEG .jpg (WeChat takes jpg, png and bmp files)", filename)}).in(request)
	case want == "":
		return UploadMeta{}, (&fieldError{"filename", fmt.Sprintf("%q does not end in .jpg, .png or .bmp (the formats WeChat takes)", filename)}).in(request)
	case len(content) == 0:
		return UploadMeta{}, (&fieldError{"file", "empty"}).in(request)
	case len(content) > MaxImageSize:
		return UploadMeta{}, (&fieldError{"file", fmt.Sprintf("%d bytes, over the %d of MaxImageSize", len(content), MaxImageSize)}).in(request)
	}
	if got := imageFormat(content); got != want {
		if got == "" {
			got = "not a JPEG, PNG or BMP"
		}
		return UploadMeta{}, (&fieldError{"file", fmt.Sprintf("named %s but its content is %s", ext, got)}).in(request)
	}
	sum := sha256.Sum256(content)
	return UploadMeta{Filename: filename, SHA256: hex.EncodeToString(sum[:])}, nil
}

// imageFormat names the format of an image by its first bytes: "JPEG",
// "PNG", "BMP" or "".
func imageFormat(b []byte) string {
	switch {
	case bytes.HasPrefix(b, []byte("\xff\xd8\xff")):
		return "JPEG"
	case bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")):
		return "PNG"
	case bytes.HasPrefix(b, []byte("BM")):
		return "BMP"
	}
	return ""
}

// JSON returns the meta's JSON, the bytes sent as the meta part and signed.
func (m UploadMeta) JSON() []byte {
	b, _ := json.Marshal(m) // two strings: never fails
	return b
}

// UploadAnswer is WeChat's answer to an image upload.
type UploadAnswer struct {
	// MediaID names the image in a reply, a refund refusal or an image
	// block (at most 512 characters). An uploaded image cannot be
	// downloaded.
	MediaID string `json:"media_id"`
	Extra   Extra  `json:"-"`
}

type plainUploadAnswer UploadAnswer

// UnmarshalJSON decodes a, keeping undeclared members in a.Extra.
func (a *UploadAnswer) UnmarshalJSON(data []byte) error {
	return decodeKeeping(data, (*plainUploadAnswer)(a), &a.Extra)
}

// MarshalJSON encodes a, then a.Extra.
func (a UploadAnswer) MarshalJSON() ([]byte, error) {
	p := plainUploadAnswer(a)
	return encodeKeeping(&p, a.Extra)
}

// MediaIDFromURL returns the media id of an image URL WeChat gave
// (complaint_media_list's media_url, a history's image), as PathImage takes
// it: the path after /v3/merchant-service/images/, percent-decoded (WeChat
// sends the Base64 padding of some ids as %3D%3D; the id is "==", which is
// what works when signed). Any host is accepted, so the fake's URLs work.
func MediaIDFromURL(mediaURL string) (string, error) {
	u, err := url.Parse(mediaURL)
	if err != nil {
		return "", fmt.Errorf("complaints: media URL %q: %w", mediaURL, err)
	}
	id, ok := strings.CutPrefix(u.Path, pathImages)
	if !ok || id == "" || id == "upload" {
		return "", fmt.Errorf("complaints: %q is not an image URL of the form https://api.mch.weixin.qq.com%s<media_id>", mediaURL, pathImages)
	}
	if err := checkID("media_id", id, MaxMediaIDLength); err != nil {
		return "", fmt.Errorf("complaints: media URL %q: %s: %s", mediaURL, err.Field, err.Reason)
	}
	return id, nil
}
