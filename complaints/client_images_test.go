package complaints

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
)

// TestUploadImage: the upload is multipart, its meta part is what is
// signed (the fake checks it), and the file goes with its type.
func TestUploadImage(t *testing.T) {
	f := newFake(t, func(s seen, _ int) answer { return ok(sample(t, "upload_answer")) })
	c := f.serve(t, ClientOptions{})
	got, err := c.UploadImage(context.Background(), "shot.PNG", png)
	if err != nil {
		t.Fatal(err)
	}
	if got.MediaID != "BB04A5DEEFEA18D4F2554C1EDD3B610B.png" {
		t.Errorf("media_id %q", got.MediaID)
	}
	meta, _ := NewUploadMeta("shot.PNG", png)
	r := f.seenRequests()[0]
	if r.Method != "POST" || r.Target != PathImageUpload || !bytes.Equal(r.Body, meta.JSON()) || !bytes.Equal(r.File, png) || r.FileType != "image/png" {
		t.Errorf("sent %s %s meta %s file %q (%s)", r.Method, r.Target, r.Body, r.File, r.FileType)
	}
}

// TestDownloadImage: a media URL is fetched by its path on the base URL,
// its %3D%3D padding sent as ==; the unsigned image is accepted, an
// unsigned answer that is not an image is not.
func TestDownloadImage(t *testing.T) {
	image := append(append([]byte{}, png...), "…pixels"...)
	f := newFake(t, func(s seen, _ int) answer {
		if strings.HasSuffix(s.Target, "json") {
			return answer{status: 200, body: []byte(`{"media_data":{}}`), unsigned: true}
		}
		return answer{status: 200, body: image, unsigned: true, header: http.Header{"Content-Type": {"image/png"}}}
	})
	c := f.serve(t, ClientOptions{})
	const url = "https://api.mch.weixin.qq.com/v3/merchant-service/images/ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ%3D%3D"
	got, err := c.DownloadImage(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if got.ContentType != "image/png" || !bytes.Equal(got.Data, image) {
		t.Errorf("got %s %q", got.ContentType, got.Data)
	}
	if r := f.seenRequests()[0]; r.Method != "GET" || r.Target != "/v3/merchant-service/images/ChsyMDAwMDAwMjAyNDA1MDUxMzAxNzIxOTk2MjcYACDPmeGxBigBMAE4AQ==" {
		t.Errorf("sent %s %s", r.Method, r.Target)
	}
	if _, err := c.DownloadImage(context.Background(), "https://api.mch.weixin.qq.com/v3/merchant-service/images/json"); err == nil {
		t.Error("an unsigned JSON answer was believed")
	}
}
