package payworld

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"path"
	"slices"
	"strings"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// UploadImage takes a merchant's upload (POST images/upload): meta is the
// meta part as sent, data the file. The file must pass
// complaints.NewUploadMeta (name, format, size: a *ValidationError
// otherwise) and meta's sha256 must be its digest (400 PARAM_ERROR
// otherwise; either case of hexadecimal).
func (w *World) UploadImage(mchid string, meta complaints.UploadMeta, data []byte) (complaints.UploadAnswer, Effects, error) {
	if _, err := complaints.NewUploadMeta(meta.Filename, data); err != nil {
		return complaints.UploadAnswer{}, Effects{}, err
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); !strings.EqualFold(meta.SHA256, got) {
		return complaints.UploadAnswer{}, Effects{}, invalid("/sha256", "body", "sha256 与文件内容不一致",
			fmt.Sprintf("meta's sha256 %q is not the file's (%s): compute it over the file's bytes as sent", clip(meta.SHA256, 80), got))
	}
	if err := w.lock(); err != nil {
		return complaints.UploadAnswer{}, Effects{}, err
	}
	defer w.mu.Unlock()
	m, err := w.merchantOf(mchid)
	if err != nil {
		return complaints.UploadAnswer{}, Effects{}, err
	}
	ext := strings.ToLower(path.Ext(meta.Filename))
	img := &Image{MediaID: w.newUploadID(ext), MchID: m.MchID, Filename: meta.Filename, ContentType: imageContentType(meta.Filename),
		Data: slices.Clone(data), Uploaded: true, Created: w.clock()}
	w.images.add(img)
	return complaints.UploadAnswer{MediaID: img.MediaID}, Effects{Changes: []Change{{What: ImageUploaded, MchID: m.MchID}}}, nil
}

// Image returns an image to download for merchant mchid: a user's image of
// its complaints. A merchant's own upload is refused as WeChat refuses it
// (400 INVALID_REQUEST "商户回执的附图不支持下载"); an unknown id is 400
// PARAM_ERROR; another merchant's image NO_AUTH.
func (w *World) Image(mchid, mediaID string) (Image, error) {
	if err := w.lock(); err != nil {
		return Image{}, err
	}
	defer w.mu.Unlock()
	img, ok := w.images.byID[mediaID]
	switch {
	case !ok:
		return Image{}, &Refusal{Err: ErrNotFound, Status: http.StatusBadRequest, Code: apiv3.CodeParamError, Message: MsgUnknownImage,
			Field: "media_id", Location: "path", Reason: "no image " + clip(mediaID, 80) + ": take the id from a media_url the fake gave (it keeps the newest images only)"}
	case img.MchID != mchid:
		return Image{}, noAuth(MsgNoAuthQuery, "image "+clip(mediaID, 80)+" is of another merchant's complaint")
	case img.Uploaded:
		return Image{}, &Refusal{Err: ErrState, Status: http.StatusBadRequest, Code: apiv3.CodeInvalidRequest, Message: MsgOwnImage,
			Reason: "image " + clip(mediaID, 80) + " is the merchant's own upload, which WeChat does not give back"}
	}
	out := *img
	out.Data = slices.Clone(img.Data)
	return out, nil
}

// checkUploads checks that ids are images the merchant uploaded, for the
// field (a JSON pointer) that lists them (w.mu held).
func (w *World) checkUploads(mchid, field string, ids []string) error {
	for i, id := range ids {
		if err := w.checkUpload(mchid, fmt.Sprintf("%s/%d", field, i), id); err != nil {
			return err
		}
	}
	return nil
}

// checkUpload checks that id is an image the merchant uploaded, for field
// (a JSON pointer) (w.mu held).
func (w *World) checkUpload(mchid, field, id string) error {
	img, ok := w.images.byID[id]
	if !ok || img.MchID != mchid || !img.Uploaded {
		return invalid(field, "body", MsgUnknownImage,
			fmt.Sprintf("%s is not an image this merchant uploaded (POST %s): upload it first", clip(id, 80), complaints.PathImageUpload))
	}
	return nil
}
