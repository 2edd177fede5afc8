package payfeedback_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/payfeedback/payfeedback"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestUploadMediaWire: the request is a POST of multipart field "media"
// with the file name, to /cgi-bin/media/upload?access_token=…&type=….
func TestUploadMediaWire(t *testing.T) {
	var gotType, gotName, gotPartType, gotMethod string
	var gotBody []byte
	s := newStub(t, func(w http.ResponseWriter, r *http.Request) {
		gotMethod = r.Method
		gotType = r.URL.Query().Get("type")
		_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
		if err != nil {
			t.Error(err)
			return
		}
		mr := multipart.NewReader(r.Body, params["boundary"])
		p, err := mr.NextPart()
		if err != nil {
			t.Error(err)
			return
		}
		if p.FormName() != "media" {
			t.Errorf("field %q, want media", p.FormName())
		}
		gotName, gotPartType = p.FileName(), p.Header.Get("Content-Type")
		gotBody, _ = io.ReadAll(p)
		io.WriteString(w, `{"type":"thumb","thumb_media_id":"TH1","created_at":1393664400}`)
	})
	m, err := s.client(t, payfeedback.ClientOptions{}).UploadMedia(context.Background(), payfeedback.MediaThumb, `C:\pics\cover.jpg`, strings.NewReader("JPEG"))
	if err != nil {
		t.Fatal(err)
	}
	if gotMethod != http.MethodPost || gotType != "thumb" || gotName != "cover.jpg" || gotPartType != "image/jpeg" || string(gotBody) != "JPEG" {
		t.Errorf("sent %s type=%q name=%q part type=%q body=%q", gotMethod, gotType, gotName, gotPartType, gotBody)
	}
	if m.ID != "TH1" || m.Type != payfeedback.MediaThumb || m.CreatedAt.Unix() != 1393664400 {
		t.Errorf("Media %+v, want TH1, thumb, created 1393664400", m)
	}
}

func TestUploadMediaAgainstFake(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		typ      payfeedback.MediaType
		filename string
		size     int
		fault    *mockwechat.Fault
		wantCode payfeedback.ErrorCode // APIError
		wantRule string                // ValidationError
	}{
		{name: "image", typ: payfeedback.MediaImage, filename: "a.jpg", size: 1000},
		{name: "voice", typ: payfeedback.MediaVoice, filename: "a.amr", size: 1000},
		{name: "video", typ: payfeedback.MediaVideo, filename: "a.mp4", size: 1000},
		{name: "thumb", typ: payfeedback.MediaThumb, filename: "a.jpg", size: 1000},
		{name: "retried after 40001 with the same body", typ: payfeedback.MediaImage, filename: "a.jpg", size: 5000,
			fault: &mockwechat.Fault{Endpoint: payfeedback.PathUploadMedia, ErrCode: payfeedback.CodeInvalidCredential}},
		{name: "larger than the fake's image limit", typ: payfeedback.MediaImage, filename: "big.jpg", size: 129 << 10, wantCode: 40006},
		{name: "unknown type", typ: "file", filename: "a.txt", size: 10, wantRule: "unknown media type"},
		{name: "no filename", typ: payfeedback.MediaImage, filename: " ", size: 10, wantRule: "required"},
		{name: "empty file", typ: payfeedback.MediaImage, filename: "a.jpg", size: 0, wantRule: "empty file"},
		{name: "larger than MaxMediaSize", typ: payfeedback.MediaVideo, filename: "a.mp4", size: payfeedback.MaxMediaSize + 1, wantRule: "larger than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, mockwechat.Options{})
			comp := f.complaint(t)
			if tt.fault != nil {
				f.srv.InjectFault(*tt.fault)
			}
			c := f.client(t, nil)
			m, err := c.UploadMedia(ctx, tt.typ, tt.filename, bytes.NewReader(make([]byte, tt.size)))
			switch {
			case tt.wantRule != "":
				var ve *payfeedback.ValidationError
				if !errors.As(err, &ve) || !strings.Contains(ve.Rule, tt.wantRule) {
					t.Fatalf("UploadMedia: %v, want a ValidationError %q", err, tt.wantRule)
				}
				if n := len(f.calls(payfeedback.PathUploadMedia)); n != 0 {
					t.Errorf("%d uploads reached the fake, want 0", n)
				}
			case tt.wantCode != 0:
				var ae *payfeedback.APIError
				if !errors.As(err, &ae) || ae.Code != tt.wantCode {
					t.Fatalf("UploadMedia: %v, want APIError %d", err, tt.wantCode)
				}
			default:
				if err != nil {
					t.Fatalf("UploadMedia: %v", err)
				}
				wantCodes := "[0]"
				if tt.fault != nil {
					wantCodes = "[40001 0]"
				}
				if got := fmt.Sprint(f.codes(payfeedback.PathUploadMedia)); got != wantCodes {
					t.Errorf("upload answers %s, want %s", got, wantCodes)
				}
				if m.ID == "" || m.Type != tt.typ || !m.CreatedAt.Equal(f.clock.Now().Truncate(1e9)) {
					t.Errorf("Media %+v, want an id, type %s, created now (%v)", m, tt.typ, f.clock.Now())
				}
				// The id is real: a message can use it.
				var msg payfeedback.Message = payfeedback.ImageMessage{MediaID: m.ID}
				switch tt.typ {
				case payfeedback.MediaVoice:
					msg = payfeedback.VoiceMessage{MediaID: m.ID}
				case payfeedback.MediaVideo, payfeedback.MediaThumb:
					th, err := f.srv.AddMedia(f.acct.AppID, "thumb")
					if err != nil {
						t.Fatal(err)
					}
					vid, err := f.srv.AddMedia(f.acct.AppID, "video")
					if err != nil {
						t.Fatal(err)
					}
					if tt.typ == payfeedback.MediaVideo {
						msg = payfeedback.VideoMessage{MediaID: m.ID, ThumbMediaID: th.MediaID}
					} else {
						msg = payfeedback.VideoMessage{MediaID: vid.MediaID, ThumbMediaID: m.ID}
					}
				}
				if err := c.SendMessage(ctx, comp.OpenID, msg); err != nil {
					t.Errorf("SendMessage with the uploaded id: %v", err)
				}
			}
		})
	}
}

func TestUploadMediaReadError(t *testing.T) {
	s := newStub(t, func(w http.ResponseWriter, r *http.Request) { t.Error("request sent") })
	broken := errors.New("disk on fire")
	_, err := s.client(t, payfeedback.ClientOptions{}).UploadMedia(context.Background(), payfeedback.MediaImage, "a.jpg", iotest.ErrReader(broken))
	if !errors.Is(err, broken) || !strings.Contains(err.Error(), "a.jpg") {
		t.Fatalf("UploadMedia: %v, want the read error naming the file", err)
	}
}

// TestUploadMediaFakeOnlyCodes: the upload's own errcodes, which the
// client's validation prevents (40004 type, 41005 missing file) or leaves to
// WeChat (40006 size), come back as *APIError with their code.
func TestUploadMediaFakeOnlyCodes(t *testing.T) {
	for _, code := range []payfeedback.ErrorCode{40004, 40006, 41005} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			f := newFake(t, mockwechat.Options{})
			f.srv.InjectFault(mockwechat.Fault{Endpoint: payfeedback.PathUploadMedia, ErrCode: code})
			_, err := f.client(t, nil).UploadMedia(context.Background(), payfeedback.MediaImage, "a.jpg", strings.NewReader("x"))
			var ae *payfeedback.APIError
			if !errors.As(err, &ae) || ae.Code != code {
				t.Fatalf("UploadMedia: %v, want APIError %d", err, code)
			}
			if payfeedback.IsTokenError(err) {
				t.Errorf("%d classified as a token error", code)
			}
		})
	}
}
