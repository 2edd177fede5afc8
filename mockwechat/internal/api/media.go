package api

import (
	"io"
	"net/http"
	"strconv"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat/internal/world"
)

// maxUpload bounds a media upload's whole body.
const maxUpload = 2 << 20

// upload serves POST /cgi-bin/media/upload?type=… with the file in the
// multipart field "media". Checks: the token, the type (40004), the file
// (41005 missing), its size (40006 beyond image 128 KiB, voice 256 KiB,
// video 1 MiB, thumb 64 KiB). The content is not inspected nor kept.
func (h *Handler) upload(c *call) response {
	appID, err := h.o.World.Auth(c.param("access_token"), c.now)
	c.appID = appID
	if err != nil {
		return answer(err)
	}
	kind := c.param("type")
	limit, ok := world.MediaLimit(kind)
	if !ok {
		return fail(payfeedback.CodeInvalidMediaType, "type must be image, voice, video or thumb")
	}
	size, resp, ok := readMedia(c, limit)
	if !ok {
		return resp
	}
	if size > limit {
		return fail(payfeedback.CodeInvalidMediaSize, kind+" files are at most "+strconv.FormatInt(limit>>10, 10)+" KiB")
	}
	md := world.Media{MediaID: h.o.World.NewValue(), AppID: appID, Type: kind, Created: c.now, Size: size}
	fx, err := h.o.World.Uploaded(md)
	if resp := h.apply(c, appID, fx, err); resp.code != 0 {
		return resp
	}
	b := []byte(`{"type":"` + kind + `","media_id":"` + md.MediaID + `"`)
	if kind == "thumb" {
		b = append(b, `,"thumb_media_id":"`+md.MediaID+`"`...)
	}
	b = append(b, `,"created_at":`...)
	b = strconv.AppendInt(b, c.now.Unix(), 10)
	b = append(b, '}')
	return response{body: b}
}

// readMedia reads the multipart field "media" and returns its size, up to
// limit+1 bytes read.
func readMedia(c *call, limit int64) (int64, response, bool) {
	c.r.Body = http.MaxBytesReader(c.w, c.r.Body, maxUpload)
	mr, err := c.r.MultipartReader()
	if err != nil {
		return 0, fail(payfeedback.CodeMediaMissing, "send the file as multipart/form-data in the field media"), false
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, fail(payfeedback.CodeMediaMissing, "unreadable multipart body"), false
		}
		if p.FormName() != "media" {
			p.Close()
			continue
		}
		size, err := io.Copy(io.Discard, io.LimitReader(p, limit+1))
		p.Close()
		if err != nil {
			return 0, fail(payfeedback.CodeMediaMissing, "unreadable media part"), false
		}
		if size == 0 {
			break
		}
		return size, response{}, true
	}
	return 0, fail(payfeedback.CodeMediaMissing, "no file in the multipart field media"), false
}
