package payfeedback

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"
)

// MediaType is the type of an uploaded media file.
type MediaType string

// The media types of the upload API. A thumb is the thumbnail of a video or
// music message.
const (
	MediaImage MediaType = "image"
	MediaVoice MediaType = "voice"
	MediaVideo MediaType = "video"
	MediaThumb MediaType = "thumb"
)

// Valid reports whether t is one of the four media types.
func (t MediaType) Valid() bool {
	return t == MediaImage || t == MediaVoice || t == MediaVideo || t == MediaThumb
}

// MaxMediaSize is the largest file UploadMedia sends (10 MiB, the largest
// limit WeChat ever had for any media type; the per-type limits, smaller,
// are WeChat's to enforce). The file is held in memory so the call can be
// retried once with a new token.
const MaxMediaSize = 10 << 20

// Media is an uploaded media file. Media ids are valid for three days.
type Media struct {
	// Type is the media type WeChat recorded.
	Type MediaType
	// ID is the media_id to put in a message.
	ID string
	// CreatedAt is when WeChat stored it.
	CreatedAt time.Time
}

// mediaAnswer is the body of a successful upload.
type mediaAnswer struct {
	Type      MediaType       `json:"type"`
	MediaID   string          `json:"media_id"`
	ThumbID   string          `json:"thumb_media_id"` // the live API answered thumbs so
	CreatedAt json.RawMessage `json:"created_at"`     // a number, sometimes a string
}

// UploadMedia uploads the file read from r as multipart field "media" to
// /cgi-bin/media/upload?type=typ, so its media id can be sent in an image,
// voice, video or music message. filename is the name WeChat sees (its
// extension tells the format: .jpg, .amr, .mp3, .mp4). The file is read
// whole, up to MaxMediaSize, before anything is sent.
func (c *Client) UploadMedia(ctx context.Context, typ MediaType, filename string, r io.Reader) (Media, error) {
	const op = "UploadMedia"
	if !typ.Valid() {
		return Media{}, &ValidationError{Subject: op, Field: "type", Rule: fmt.Sprintf("unknown media type %q (want image, voice, video or thumb)", typ)}
	}
	filename = path.Base(strings.ReplaceAll(strings.TrimSpace(filename), `\`, "/"))
	if filename == "" || filename == "." || filename == "/" {
		return Media{}, &ValidationError{Subject: op, Field: "filename", Rule: "required (with an extension telling the format)"}
	}
	if r == nil {
		return Media{}, &ValidationError{Subject: op, Field: "media", Rule: "required"}
	}
	data, err := io.ReadAll(io.LimitReader(r, MaxMediaSize+1))
	if err != nil {
		return Media{}, fmt.Errorf("payfeedback: %s: reading %s: %w", op, filename, err)
	}
	if len(data) > MaxMediaSize {
		return Media{}, &ValidationError{Subject: op, Field: "media", Rule: fmt.Sprintf("larger than %d bytes", MaxMediaSize)}
	}
	if len(data) == 0 {
		return Media{}, &ValidationError{Subject: op, Field: "media", Rule: "empty file"}
	}

	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", mime.FormatMediaType("form-data", map[string]string{"name": "media", "filename": filename}))
	ct := mime.TypeByExtension(path.Ext(filename))
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	part, err := mw.CreatePart(h)
	if err == nil {
		_, err = part.Write(data)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return Media{}, fmt.Errorf("payfeedback: %s: building the multipart body: %w", op, err)
	}

	var ans mediaAnswer
	err = c.withToken(ctx, op, func(ctx context.Context, tok string) error {
		q := url.Values{"access_token": {tok}, "type": {string(typ)}}
		return c.do(ctx, op, http.MethodPost, PathUploadMedia, q, mw.FormDataContentType(), body.Bytes(), &ans)
	})
	if err != nil {
		return Media{}, err
	}
	m := Media{Type: ans.Type, ID: ans.MediaID}
	if m.ID == "" {
		m.ID = ans.ThumbID
	}
	if m.ID == "" {
		return Media{}, fmt.Errorf("payfeedback: %s: the answer has no media_id", op)
	}
	if m.Type == "" {
		m.Type = typ
	}
	if sec, ok := unixSeconds(ans.CreatedAt); ok {
		m.CreatedAt = time.Unix(sec, 0)
	}
	return m, nil
}

// unixSeconds reads a JSON number or a string of digits.
func unixSeconds(raw json.RawMessage) (int64, bool) {
	s := strings.Trim(string(raw), `"`)
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}
