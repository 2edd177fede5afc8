package payworld

import (
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

func day(d int) complaints.Date { return complaints.Date{Year: 2025, Month: 3, Day: d} }

// TestList: the list reads the days asked for in China Standard Time, both
// included, oldest first, page by page; total_count only at offset 0; list
// items lack payer_openid; another merchant's complaints are not listed.
func TestList(t *testing.T) {
	w, c := newWorld(t, Rules{})
	var ids []string
	// t0 is 2025-03-01 18:00 CST; one complaint every 5 hours over 6 days.
	for i := range 30 {
		c.t = t0.Add(time.Duration(i) * 5 * time.Hour)
		ids = append(ids, must[Complaint](t)(w.File(FileSpec{MchID: mch1})).ID())
		must[Complaint](t)(w.File(FileSpec{MchID: mch2}))
	}
	// The clock set back: a complaint of day 1 filed last.
	c.t = t0.Add(-time.Hour)
	late := must[Complaint](t)(w.File(FileSpec{MchID: mch1})).ID()

	page, err := w.List(mch1, complaints.ListRequest{BeginDate: day(2), EndDate: day(3)})
	if err != nil {
		t.Fatal(err)
	}
	// Day 2 CST is t0+6h .. t0+30h: filings 2..6; day 3: 7..10.
	if page.TotalCount == nil || *page.TotalCount != 9 || page.Limit != DefaultListLimit || page.Offset != 0 || len(page.Data) != 9 {
		t.Fatalf("page: total %v limit %d offset %d, %d items", page.TotalCount, page.Limit, page.Offset, len(page.Data))
	}
	for i, item := range page.Data {
		if item.ComplaintID != ids[i+2] || item.PayerOpenID != "" || item.ComplaintedMchID != mch1 {
			t.Errorf("item %d: %s (openid %q), want %s", i, item.ComplaintID, item.PayerOpenID, ids[i+2])
		}
	}
	second, _ := w.List(mch1, complaints.ListRequest{BeginDate: day(2), EndDate: day(3), Limit: 4, Offset: 4})
	if second.TotalCount != nil || len(second.Data) != 4 || second.Data[0].ComplaintID != ids[6] || second.Limit != 4 || second.Offset != 4 {
		t.Errorf("second page: total %v, %d items", second.TotalCount, len(second.Data))
	}
	beyond, _ := w.List(mch1, complaints.ListRequest{BeginDate: day(2), EndDate: day(3), Offset: 50})
	if len(beyond.Data) != 0 || beyond.Data == nil {
		t.Errorf("beyond the end: %v", beyond.Data)
	}
	first, _ := w.List(mch1, complaints.ListRequest{BeginDate: day(1), EndDate: day(1), Limit: 50})
	if len(first.Data) != 3 || first.Data[0].ComplaintID != late {
		t.Errorf("day 1: %d items, first %s, want the late filing %s first (sorted by time)", len(first.Data), first.Data[0].ComplaintID, late)
	}
	if _, err := w.List("nobody", complaints.ListRequest{BeginDate: day(1), EndDate: day(1)}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown merchant: %v", err)
	}
}

// TestHistoryPages: the history is paged as the list is.
func TestHistoryPages(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	id := prepare(t, w, startProcessing)
	for range 5 {
		must[Complaint](t)(w.UserMessage(id, "在吗"))
	}
	all, err := w.History(mch1, id, complaints.HistoryRequest{})
	if err != nil || *all.TotalCount != 7 || len(all.Data) != 7 || all.Limit != DefaultHistoryLimit {
		t.Fatalf("%+v %v", all, err)
	}
	page, _ := w.History(mch1, id, complaints.HistoryRequest{Limit: 2, Offset: 5})
	if page.TotalCount != nil || len(page.Data) != 2 || page.Data[0].LogID != all.Data[5].LogID {
		t.Errorf("page at 5: %+v", page)
	}
	for i := 1; i < len(all.Data); i++ {
		if all.Data[i].LogID == all.Data[i-1].LogID || all.Data[i].OperateTime.Before(all.Data[i-1].OperateTime) {
			t.Errorf("entries %d and %d: log ids %s %s", i-1, i, all.Data[i-1].LogID, all.Data[i].LogID)
		}
	}
}

// TestImages: an upload's digest is checked; the merchant cannot download
// its own upload; the user's evidence downloads, for its merchant only; the
// store keeps its bound.
func TestImages(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	meta, _ := complaints.NewUploadMeta("a.png", png)
	upper := meta
	upper.SHA256 = "" + toUpper(meta.SHA256)
	if _, _, err := w.UploadImage(mch1, upper, png); err != nil {
		t.Errorf("upper-case digest: %v", err)
	}
	wrong := meta
	wrong.SHA256 = "00" + meta.SHA256[2:]
	_, _, err := w.UploadImage(mch1, wrong, png)
	var r *Refusal
	if !errors.As(err, &r) || r.Code != apiv3.CodeParamError || r.Field != "/sha256" {
		t.Errorf("wrong digest: %v", err)
	}
	if _, _, err := w.UploadImage(mch1, complaints.UploadMeta{Filename: "a.gif", SHA256: meta.SHA256}, png); !errors.Is(err, complaints.ErrInvalidRequest) {
		t.Errorf("a .gif: %v", err)
	}
	own := upload(t, w, mch1)
	if _, err := w.Image(mch1, own); !errors.As(err, &r) || r.Message != MsgOwnImage || r.Status != http.StatusBadRequest {
		t.Errorf("own upload: %v", err)
	}
	c := must[Complaint](t)(w.File(FileSpec{MchID: mch1, Images: []ImageFile{{Filename: "e.png", Data: png}}}))
	id, err := complaints.MediaIDFromURL(c.Wire.ComplaintMediaList[0].MediaURL[0])
	if err != nil {
		t.Fatal(err)
	}
	img, err := w.Image(mch1, id)
	if err != nil || string(img.Data) != string(png) || img.ContentType != "image/png" {
		t.Errorf("evidence: %+v %v", img, err)
	}
	img.Data[0] = 'X'
	if again, _ := w.Image(mch1, id); again.Data[0] != png[0] {
		t.Error("Image handed out the world's bytes")
	}
	if _, err := w.Image(mch2, id); !errors.Is(err, ErrNoAuth) {
		t.Errorf("another merchant: %v", err)
	}
	if _, err := w.Image(mch1, "nope=="); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}

	small := New(Config{MaxImageBytes: 3 * int64(len(png)), Seed: 1}, func() time.Time { return t0 })
	small.AddMerchant(Merchant{MchID: mch1, SerialNo: "S", PublicKey: &merchantKey(t).PublicKey, APIv3Key: v3})
	first := upload(t, small, mch1)
	for range 3 {
		upload(t, small, mch1)
	}
	if small.images.has(first) || len(small.images.order) != 3 || small.images.bytes != 3*int64(len(png)) {
		t.Errorf("bounded store: %d images, %d bytes, first kept %v", len(small.images.order), small.images.bytes, small.images.has(first))
	}
}

func toUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// TestRekey: a merchant's new API key encrypts its complaints' payer_phone
// anew; callback URL and complaints stay.
func TestRekey(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	id := prepare(t, w, startPending)
	w.CreateNotifyURL(mch1, "http://127.0.0.1:9/cb")
	if _, err := w.AddMerchant(Merchant{MchID: mch1, SerialNo: "NEW", PublicKey: &otherKey(t).PublicKey, APIv3Key: v3}); err != nil {
		t.Fatal(err)
	}
	d, _ := w.Detail(mch1, id)
	if _, err := d.DecryptPayerPhone(otherKey(t)); err != nil {
		t.Errorf("payer_phone under the new key: %v", err)
	}
	if m, _ := w.Merchant(mch1); m.NotifyURL != "http://127.0.0.1:9/cb" || m.SerialNo != "NEW" {
		t.Errorf("merchant %+v", m)
	}
	for _, bad := range []Merchant{{}, {MchID: "x"}, {MchID: "x", SerialNo: "s"}, {MchID: "x", SerialNo: "s", PublicKey: &otherKey(t).PublicKey, APIv3Key: "short"}} {
		if _, err := w.AddMerchant(bad); err == nil {
			t.Errorf("added %+v", bad)
		}
	}
}

// TestNotifyURL: none yet answers RESOURCE_NOT_EXISTS to GET, PUT and
// DELETE; an invalid URL is refused; a loopback http URL is taken.
func TestNotifyURL(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	none := func(err error) {
		t.Helper()
		var r *Refusal
		if !errors.As(err, &r) || r.Code != apiv3.CodeResourceNotExists || r.Message != MsgNoNotifyURL || r.Status != http.StatusBadRequest {
			t.Errorf("%v", err)
		}
	}
	_, err := w.NotifyURL(mch1)
	none(err)
	_, _, err = w.UpdateNotifyURL(mch1, "https://example.com/cb")
	none(err)
	_, err = w.DeleteNotifyURL(mch1)
	none(err)
	if _, _, err := w.CreateNotifyURL(mch1, "https://example.com/cb?x=1"); !errors.Is(err, complaints.ErrInvalidRequest) {
		t.Errorf("a query string: %v", err)
	}
	if n, _, err := w.CreateNotifyURL(mch1, "http://127.0.0.1:8080/cb"); err != nil || n.MchID != mch1 {
		t.Fatalf("%+v %v", n, err)
	}
	if n, _, err := w.UpdateNotifyURL(mch1, "https://example.com/v2"); err != nil || n.URL != "https://example.com/v2" {
		t.Errorf("%+v %v", n, err)
	}
	if _, err := w.DeleteNotifyURL(mch1); err != nil {
		t.Fatal(err)
	}
	_, err = w.NotifyURL(mch1)
	none(err)
}
