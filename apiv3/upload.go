package apiv3

import (
	"bytes"
	"context"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
)

// Upload sends a file to an upload endpoint (such as
// /v3/merchant-service/images/upload) as multipart/form-data: a "meta"
// part holding meta, the JSON {"filename","sha256"} as the endpoint
// defines it, then a "file" part holding file, named filename, of
// contentType. The signature covers meta alone, exactly these bytes
// ("图片上传API，请使用meta对应的JSON报文"), so meta is sent as given. The
// answer is verified as any other.
func (c *Client) Upload(ctx context.Context, target string, meta []byte, filename, contentType string, file []byte) (*Response, error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	h := make(textproto.MIMEHeader)
	h.Set("Content-Disposition", `form-data; name="meta";`)
	h.Set("Content-Type", "application/json")
	part, err := w.CreatePart(h)
	if err == nil {
		_, err = part.Write(meta)
	}
	if err == nil {
		h = make(textproto.MIMEHeader)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename="%s"`, escapeQuotes(filename)))
		h.Set("Content-Type", contentType)
		part, err = w.CreatePart(h)
	}
	if err == nil {
		_, err = part.Write(file)
	}
	if err == nil {
		err = w.Close()
	}
	if err != nil {
		return nil, fmt.Errorf("apiv3: upload: build the form: %w", err)
	}
	return c.do(ctx, call{method: http.MethodPost, target: target, body: buf.Bytes(), signed: meta, contentType: w.FormDataContentType()})
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }
