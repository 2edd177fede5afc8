package payapi

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"

	"github.com/payfeedback/payfeedback/apiv3"
)

// upload is an image upload's two parts.
type upload struct {
	meta     []byte // the meta part as sent: what the signature covers
	file     []byte
	filename string
}

// maxMeta bounds the meta part ({"filename","sha256"} is under 300 bytes).
const maxMeta = 64 << 10

// parseUpload reads a multipart/form-data upload: a "meta" part and a
// "file" part, in either order (gopay sends them in a map's order). Other
// parts are ignored; a part twice, or either missing, is refused as a
// parameter error.
func parseUpload(contentType string, body []byte) (upload, *apiv3.Error) {
	bad := func(field, issue string) (upload, *apiv3.Error) {
		return upload{}, paramError(field, "body", "图片上传的请求格式有误", issue)
	}
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return bad("", fmt.Sprintf("Content-Type %q: an upload is multipart/form-data with a boundary", clip(contentType, 100)))
	}
	var up upload
	var seenMeta, seenFile bool
	r := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		p, err := r.NextRawPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return bad("", "the multipart body does not parse: "+err.Error())
		}
		switch p.FormName() {
		case "meta":
			if seenMeta {
				return bad("meta", "two meta parts")
			}
			seenMeta = true
			if up.meta, err = io.ReadAll(io.LimitReader(p, maxMeta+1)); err != nil || len(up.meta) > maxMeta {
				return bad("meta", fmt.Sprintf("the meta part does not read, or is over %d bytes", maxMeta))
			}
		case "file":
			if seenFile {
				return bad("file", "two file parts")
			}
			seenFile = true
			up.filename = p.FileName()
			if up.file, err = io.ReadAll(p); err != nil {
				return bad("file", "the file part does not read: "+err.Error())
			}
		}
	}
	switch {
	case !seenMeta:
		return bad("meta", `no "meta" part: send the JSON {"filename","sha256"} as the part named meta`)
	case !seenFile:
		return bad("file", `no "file" part: send the image as the part named file`)
	}
	return up, nil
}
