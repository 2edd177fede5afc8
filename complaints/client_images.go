package complaints

import (
	"context"
	"fmt"
	"path"
	"strings"
)

// UploadImage uploads an image for a reply, a refund refusal or an image
// block (POST /v3/merchant-service/images/upload, multipart, signed over
// its meta) and returns its media_id. NewUploadMeta checks the file first.
func (c *Client) UploadImage(ctx context.Context, filename string, content []byte) (UploadAnswer, error) {
	meta, err := NewUploadMeta(filename, content)
	if err != nil {
		return UploadAnswer{}, err
	}
	contentType := map[string]string{".jpg": "image/jpeg", ".png": "image/png", ".bmp": "image/bmp"}[strings.ToLower(path.Ext(filename))]
	if err := c.pace(ctx, EndpointImageUpload); err != nil {
		return UploadAnswer{}, err
	}
	resp, err := c.api.Upload(ctx, PathImageUpload, meta.JSON(), filename, contentType, content)
	if err != nil {
		return UploadAnswer{}, fmt.Errorf("complaints: %s: %w", EndpointImageUpload, err)
	}
	return decodeAnswer[UploadAnswer](EndpointImageUpload, resp)
}

// DownloadedImage is an image DownloadImage fetched.
type DownloadedImage struct {
	// ContentType is the answer's (image/jpeg, image/png, …).
	ContentType string
	// Data is the image's bytes.
	Data []byte
}

// DownloadImage downloads an image of a complaint or of its history by the
// URL WeChat gave (media_url, image_list), with a signed GET of its path on
// the Client's base URL (whatever the URL's host: a signed request goes to
// WeChat only). The id is percent-decoded first (MediaIDFromURL: WeChat's
// %3D%3D padding is sent as ==). WeChat sends the image unsigned, as it
// documents; an answer that is signed is verified. Images the merchant
// uploaded cannot be downloaded.
func (c *Client) DownloadImage(ctx context.Context, mediaURL string) (DownloadedImage, error) {
	id, err := MediaIDFromURL(mediaURL)
	if err != nil {
		return DownloadedImage{}, err
	}
	if err := c.pace(ctx, EndpointImageDownload); err != nil {
		return DownloadedImage{}, err
	}
	resp, err := c.api.DownloadImage(ctx, PathImage(id))
	if err != nil {
		return DownloadedImage{}, fmt.Errorf("complaints: %s: %w", EndpointImageDownload, err)
	}
	return DownloadedImage{ContentType: resp.Header.Get("Content-Type"), Data: resp.Body}, nil
}
