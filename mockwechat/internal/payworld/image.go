package payworld

import (
	"path"
	"slices"
	"strings"
	"time"
)

// Image is an image of the world: a merchant's upload (for its replies,
// refund refusals and image blocks; WeChat does not let the merchant
// download it back) or a user's evidence (downloadable through its
// media_url).
type Image struct {
	MediaID     string `json:"media_id"`
	MchID       string `json:"mchid"`
	Filename    string `json:"filename"`
	ContentType string `json:"content_type"`
	Data        []byte `json:"data"`
	// Uploaded marks a merchant's upload.
	Uploaded bool      `json:"uploaded,omitempty"`
	Created  time.Time `json:"created_at"`
}

// imageContentType is the Content-Type of an image by its name's extension
// (complaints.NewUploadMeta checked it is one of the three).
func imageContentType(filename string) string {
	switch strings.ToLower(path.Ext(filename)) {
	case ".png":
		return "image/png"
	case ".bmp":
		return "image/bmp"
	}
	return "image/jpeg"
}

// imageStore keeps images up to a total of bytes, dropping the oldest
// past it (w.mu).
type imageStore struct {
	byID  map[string]*Image
	order []string // oldest first
	bytes int64
	max   int64
}

func newImageStore(max int64) imageStore {
	return imageStore{byID: make(map[string]*Image), max: max}
}

func (s *imageStore) has(id string) bool { _, ok := s.byID[id]; return ok }

func (s *imageStore) add(img *Image) {
	s.byID[img.MediaID] = img
	s.order = append(s.order, img.MediaID)
	s.bytes += int64(len(img.Data))
	for s.bytes > s.max && len(s.order) > 1 {
		old := s.byID[s.order[0]]
		s.order = s.order[1:]
		delete(s.byID, old.MediaID)
		s.bytes -= int64(len(old.Data))
	}
}

// list returns copies of the images, oldest first.
func (s *imageStore) list() []Image {
	out := make([]Image, 0, len(s.order))
	for _, id := range s.order {
		img := *s.byID[id]
		img.Data = slices.Clone(img.Data)
		out = append(out, img)
	}
	return out
}
