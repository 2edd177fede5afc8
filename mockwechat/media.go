package mockwechat

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"time"
)

// mediaLimit returns the size limit of a media kind (the era's API), and
// false for an unknown kind.
func mediaLimit(kind string) (int64, bool) {
	switch kind {
	case "image":
		return 128 << 10, true
	case "voice":
		return 256 << 10, true
	case "video":
		return 1 << 20, true
	case "thumb":
		return 64 << 10, true
	}
	return 0, false
}

type media struct {
	appID, kind string
	created     time.Time
	size        int64
}

// mediaStore remembers the last max media ids (guarded by Server.mu).
type mediaStore struct {
	byID  map[string]media
	order []string
	next  int
	max   int
}

func newMediaStore(max int) mediaStore {
	return mediaStore{byID: make(map[string]media), max: max}
}

func (m *mediaStore) add(id string, md media) {
	if len(m.order) < m.max {
		m.order = append(m.order, id)
	} else {
		delete(m.byID, m.order[m.next])
		m.order[m.next] = id
		m.next = (m.next + 1) % m.max
	}
	m.byID[id] = md
}

func (m *mediaStore) valid(id, appID string, now time.Time, ttl time.Duration) bool {
	md, ok := m.byID[id]
	return ok && md.appID == appID && now.Before(md.created.Add(ttl))
}

// Media is an uploaded media file's record (its content is not kept).
type Media struct {
	MediaID string    `json:"media_id"`
	AppID   string    `json:"appid"`
	Type    string    `json:"type"`
	Size    int64     `json:"size"`
	Created time.Time `json:"created_at"`
}

// AddMedia registers a media id without an upload, for tests that need one
// quickly. kind is image, voice, video or thumb.
func (s *Server) AddMedia(appID, kind string) (Media, error) {
	if _, ok := mediaLimit(kind); !ok {
		return Media{}, errors.New("mockwechat: media type " + strconv.Quote(clip(kind, 16)) + ": want image, voice, video or thumb")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acc, err := s.accountLocked(appID)
	if err != nil {
		return Media{}, err
	}
	id := newTokenValue()
	now := s.sched.now()
	s.media.add(id, media{appID: acc.AppID, kind: kind, created: now})
	return Media{MediaID: id, AppID: acc.AppID, Type: kind, Created: now}, nil
}

// handleMediaUpload serves POST /cgi-bin/media/upload?type=… with the file
// in the multipart field "media". Checks: the token, the type (40004), the
// file (41005 missing), its size (40006 beyond image 128 KiB, voice
// 256 KiB, video 1 MiB, thumb 64 KiB). The content is not inspected nor
// kept. Media ids are valid for Options.MediaTTL, for the uploading account.
func (s *Server) handleMediaUpload(c *apiCall) response {
	appID, resp, ok := c.auth()
	if !ok {
		return resp
	}
	kind := c.query.Get("type")
	limit, ok := mediaLimit(kind)
	if !ok {
		return fail(codeInvalidMediaType, "type must be image, voice, video or thumb")
	}
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, 2<<20)
	mr, err := c.r.MultipartReader()
	if err != nil {
		return fail(codeMediaMissing, "send the file as multipart/form-data in the field media")
	}
	var size int64 = -1
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fail(codeMediaMissing, "unreadable multipart body")
		}
		if p.FormName() != "media" {
			p.Close()
			continue
		}
		size, err = io.Copy(io.Discard, io.LimitReader(p, limit+1))
		p.Close()
		if err != nil {
			return fail(codeMediaMissing, "unreadable media part")
		}
		break
	}
	switch {
	case size <= 0:
		return fail(codeMediaMissing, "no file in the multipart field media")
	case size > limit:
		return fail(codeInvalidMediaSize, kind+" files are at most "+strconv.FormatInt(limit>>10, 10)+" KiB")
	}
	id := newTokenValue()
	s.mu.Lock()
	s.media.add(id, media{appID: appID, kind: kind, created: c.now, size: size})
	s.mu.Unlock()
	b := []byte(`{"type":"` + kind + `","media_id":"` + id + `"`)
	if kind == "thumb" {
		b = append(b, `,"thumb_media_id":"`+id+`"`...)
	}
	b = append(b, `,"created_at":`...)
	b = strconv.AppendInt(b, c.now.Unix(), 10)
	b = append(b, '}')
	return response{body: b}
}
