package world

import (
	"errors"
	"strconv"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat/internal/events"
)

// MediaLimit returns the size limit of a media kind (the era's API: image
// 128 KiB, voice 256 KiB, video 1 MiB, thumb 64 KiB), and false for an
// unknown kind.
func MediaLimit(kind string) (int64, bool) {
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

// Media is an uploaded media file's record (its content is not kept).
type Media struct {
	MediaID string    `json:"media_id"`
	AppID   string    `json:"appid"`
	Type    string    `json:"type"`
	Size    int64     `json:"size"`
	Created time.Time `json:"created_at"`
}

// mediaStore remembers the last max media ids (w.mu).
type mediaStore struct {
	byID  map[string]Media
	order []string // a ring: the oldest at next once full
	next  int
	max   int
}

func newMediaStore(max int) mediaStore {
	return mediaStore{byID: make(map[string]Media), max: max}
}

func (m *mediaStore) add(md Media) {
	if len(m.order) < m.max {
		m.order = append(m.order, md.MediaID)
	} else {
		delete(m.byID, m.order[m.next])
		m.order[m.next] = md.MediaID
		m.next = (m.next + 1) % m.max
	}
	m.byID[md.MediaID] = md
}

func (m *mediaStore) valid(id, appID string, now time.Time, ttl time.Duration) bool {
	md, ok := m.byID[id]
	return ok && md.AppID == appID && now.Before(md.Created.Add(ttl))
}

// list returns the media, oldest first.
func (m *mediaStore) list() []Media {
	out := make([]Media, 0, len(m.order))
	for i := range m.order {
		out = append(out, m.byID[m.order[(m.next+i)%len(m.order)]])
	}
	return out
}

// AddMedia registers a media id without an upload. kind is image, voice,
// video or thumb; id is made by the caller (NewValue).
func (w *World) AddMedia(appID, kind, id string) (Media, events.Effects, error) {
	if _, ok := MediaLimit(kind); !ok {
		return Media{}, events.Effects{}, errors.New("mockwechat: media type " + strconv.Quote(text.Clip(kind, 16)) + ": want image, voice, video or thumb")
	}
	if err := w.lock(); err != nil {
		return Media{}, events.Effects{}, err
	}
	defer w.mu.Unlock()
	acc, err := w.account(appID)
	if err != nil {
		return Media{}, events.Effects{}, err
	}
	md := Media{MediaID: id, AppID: acc.AppID, Type: kind, Created: w.now()}
	w.media.add(md)
	return md, events.Effects{Changes: []events.Change{{What: events.MediaAdded, AppID: acc.AppID}}}, nil
}

// Uploaded records a media file an account uploaded through the API.
func (w *World) Uploaded(md Media) (events.Effects, error) {
	if err := w.lock(); err != nil {
		return events.Effects{}, err
	}
	defer w.mu.Unlock()
	w.media.add(md)
	return events.Effects{Changes: []events.Change{{What: events.MediaAdded, AppID: md.AppID}}}, nil
}
