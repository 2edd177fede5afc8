package payworld

import (
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// DefaultMediaURLBase is the host of the image URLs the world writes
// (media_url, image_list), as WeChat writes them; clients request the path
// on their own base URL (complaints.MediaIDFromURL).
const DefaultMediaURLBase = "https://api.mch.weixin.qq.com"

// DefaultMaxImageBytes bounds the bytes of images the world keeps: past it,
// the oldest go.
const DefaultMaxImageBytes = 64 << 20

// ErrClosed: the world is closed.
var ErrClosed = errors.New("payworld: closed")

// Config configures New.
type Config struct {
	// Rules are the choices where WeChat is silent (zero: the defaults).
	Rules Rules
	// Seed makes ids reproducible (0: random).
	Seed uint64
	// MediaURLBase is the scheme and host of the image URLs the world
	// writes ("": DefaultMediaURLBase, as WeChat's). The wiring may give
	// the fake's own address.
	MediaURLBase string
	// MaxImageBytes bounds the images kept (0: DefaultMaxImageBytes).
	MaxImageBytes int64
}

// World is the fake's Complaints 2.0 state and its rules. It is safe for
// concurrent use.
//
// Lock order: World.mu is a leaf. Every method takes it with defer and
// calls nothing outside the world while holding it but the clock (now)
// and apiv3.EncryptOAEP.
type World struct {
	now      func() time.Time
	cst      *time.Location
	mediaURL string // the prefix of image URLs: base + images path
	maxImage int64

	mu         sync.Mutex // guards the fields below
	closed     bool
	rules      Rules
	merchants  map[string]*merchantEntry
	complaints map[string]*record
	filed      []*record // in filing order
	images     imageStore
	counters   Counters
	pcg        *rand.PCG
	rng        *rand.Rand
}

// Counters number what the world made, so that ids stay unique once a
// saved world is restored.
type Counters struct {
	Complaints uint64 `json:"complaints"`
	Logs       uint64 `json:"logs"`
	Images     uint64 `json:"images"`
}

// New returns an empty world on the clock now.
func New(cfg Config, now func() time.Time) *World {
	seed := cfg.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	base := strings.TrimSuffix(cfg.MediaURLBase, "/")
	if base == "" {
		base = DefaultMediaURLBase
	}
	w := &World{now: now, cst: time.FixedZone("CST", int(complaints.ChinaOffset/time.Second)),
		mediaURL: base + complaints.PathImage(""), maxImage: cfg.MaxImageBytes, rules: cfg.Rules}
	if w.maxImage <= 0 {
		w.maxImage = DefaultMaxImageBytes
	}
	w.reset(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	return w
}

// reset empties the world (w.mu held, or w not shared yet).
func (w *World) reset(pcg *rand.PCG) {
	w.merchants = make(map[string]*merchantEntry)
	w.complaints = make(map[string]*record)
	w.filed = nil
	w.images = newImageStore(w.maxImage)
	w.counters = Counters{}
	w.pcg = pcg
	w.rng = rand.New(pcg)
}

// Close makes every later transition fail with ErrClosed.
func (w *World) Close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.closed = true
}

// lock takes the world's lock for a transition; it fails once closed. The
// caller defers w.mu.Unlock() when it succeeds.
func (w *World) lock() error {
	w.mu.Lock()
	if w.closed {
		w.mu.Unlock()
		return ErrClosed
	}
	return nil
}

// Rules returns the rules in force.
func (w *World) Rules() Rules {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.rules
}

// SetRules changes the rules; what is done stays done.
func (w *World) SetRules(r Rules) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.rules = r
}

// clock returns the time now in China Standard Time, to the millisecond,
// as WeChat writes its times (w.mu held or not).
func (w *World) clock() time.Time {
	return w.now().In(w.cst).Truncate(time.Millisecond)
}

// digits returns n random decimal digits (w.mu held).
func (w *World) digits(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + w.rng.IntN(10))
	}
	return string(b)
}

// newID makes an id of 27 digits as WeChat's look (complaint
// 200201820200101080076610000, log 300285320210322170000071077): a prefix,
// random digits, the day, and a counter that keeps it unique (w.mu held).
func (w *World) newID(prefix string, counter *uint64, now time.Time) string {
	*counter++
	return fmt.Sprintf("%s%s%s%012d", prefix, w.digits(4), now.Format("20060102"), *counter%1e12)
}

// newComplaintID returns an unused complaint id (w.mu held).
func (w *World) newComplaintID(now time.Time) string {
	for {
		id := w.newID("200", &w.counters.Complaints, now)
		if _, ok := w.complaints[id]; !ok {
			return id
		}
	}
}

// newLogID returns a history entry's log_id (w.mu held).
func (w *World) newLogID(now time.Time) string {
	return w.newID("300", &w.counters.Logs, now)
}

// newUploadID returns the media_id of a merchant's upload, of the form
// WeChat answered in 2024: 32 upper-case hexadecimal digits and the
// extension (B13293B5336723D6A317423552677660.png) (w.mu held).
func (w *World) newUploadID(ext string) string {
	for {
		w.counters.Images++
		id := fmt.Sprintf("%016X%016X%s", w.rng.Uint64(), w.counters.Images, ext)
		if !w.images.has(id) {
			return id
		}
	}
}

// newEvidenceID returns the media_id of a user's image, of the form seen in
// complaints' media_url: standard Base64 with its == padding (without "/",
// which no client manages to sign) (w.mu held).
func (w *World) newEvidenceID() string {
	for {
		w.counters.Images++
		var b [40]byte
		for i := range b {
			b[i] = byte(w.rng.UintN(256))
		}
		b[0], b[1] = byte(w.counters.Images>>8), byte(w.counters.Images)
		id := strings.ReplaceAll(base64.StdEncoding.EncodeToString(b[:]), "/", "+")
		if !w.images.has(id) {
			return id
		}
	}
}

// mediaURLOf returns the URL of an image, as WeChat gives it.
func (w *World) mediaURLOf(mediaID string) string {
	return w.mediaURL + escapeMediaID(mediaID)
}

// escapeMediaID escapes an id for the URL's path as complaints.PathImage
// does.
func escapeMediaID(id string) string {
	return strings.TrimPrefix(complaints.PathImage(id), complaints.PathImage(""))
}
