package conformance

import (
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/payfeedback/payfeedback"
)

// forge makes the notifications a run sends. The AppSignature covers only
// appid, openid and timestamp, so two different notifications with the
// same openid and timestamp would share a signature, and a sound merchant
// refuses the second as a replay. Each notification therefore gets a
// timestamp of its own: one second before the run's clock, and before the
// previous notification's (a run sends fewer than a hundred, so they stay
// within a couple of minutes of now). Every timestamp is in the past when
// it is issued, so none equals that of a notification the embedded fake
// pushes later.
type forge struct {
	appID, key, openID string
	now                func() time.Time
	// issue, when set, files a complaint in the embedded fake WeChat and
	// returns its ids, so that the merchant's API calls about the suite's
	// notifications succeed; big asks for a FeedBackId beyond int64, !big
	// for one within. ok is false when the fake could not.
	issue func(big bool) (feedbackID, transID string, ok bool)

	mu   sync.Mutex
	n    int64
	last int64 // the previous base timestamp
}

// Sample values, as the public samples of WeChat's notification wrote
// them.
const (
	sampleReason   = "商品质量有问题"
	sampleSolution = "补发货给我"
	sampleExtInfo  = "明天六点前联系我 18610847266"
	samplePicURL   = "http://mmbiz.qpic.cn/mmbiz/49ogibiahRNtOk37iaztwmdgFbyFS9FURefs/0"
)

// stamp returns a timestamp (Unix seconds, offset from the run's clock)
// and a counter value no other notification of the run has.
func (f *forge) stamp(offset time.Duration) (int64, int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n++
	base := f.now().Unix() - 1
	if f.n > 1 && base >= f.last {
		base = f.last - 1
	}
	f.last = base
	return base + int64(offset/time.Second), f.n
}

// next returns a fresh notification of kind mt, validly signed, with a
// FeedBackId that fits an int64.
func (f *forge) next(mt payfeedback.MsgType) *payfeedback.Notification {
	return f.make(mt, 0, false)
}

// full is next(MsgRequest) carrying every optional element, picture
// evidence included: the base of the notify/optional cases, which each
// remove one.
func (f *forge) full() *payfeedback.Notification {
	n := f.make(payfeedback.MsgRequest, 0, false)
	n.PicURLs = []string{samplePicURL}
	return n
}

// nextAt is next with the timestamp moved by offset.
func (f *forge) nextAt(mt payfeedback.MsgType, offset time.Duration) *payfeedback.Notification {
	return f.make(mt, offset, false)
}

// nextBig is next with a FeedBackId of 20 digits, beyond int64 as real
// ones often are.
func (f *forge) nextBig(mt payfeedback.MsgType) *payfeedback.Notification {
	return f.make(mt, 0, true)
}

func (f *forge) make(mt payfeedback.MsgType, offset time.Duration, big bool) *payfeedback.Notification {
	ts, k := f.stamp(offset)
	fid := fmt.Sprintf("5%010d%08d", ts%1e10, k%1e8)
	if big {
		fid = fmt.Sprintf("13%010d%08d", ts%1e10, k%1e8)
	}
	tid := fmt.Sprintf("10%010d%08d", ts%1e10, k%1e8)
	if f.issue != nil {
		if a, b, ok := f.issue(big); ok {
			fid, tid = a, b
		}
	}
	n := &payfeedback.Notification{
		AppID:      f.appID,
		TimeStamp:  strconv.FormatInt(ts, 10),
		OpenID:     f.openID,
		MsgType:    mt,
		FeedBackID: fid,
		Reason:     sampleReason,
		SignMethod: payfeedback.SignMethodSHA1,
	}
	if mt == payfeedback.MsgRequest {
		n.TransID = tid
		n.Solution = sampleSolution
		n.ExtInfo = sampleExtInfo
	}
	f.sign(n, f.key)
	return n
}

// follow returns a notification of kind mt about the same complaint as
// req (same FeedBackId), with a timestamp of its own.
func (f *forge) follow(req *payfeedback.Notification, mt payfeedback.MsgType) *payfeedback.Notification {
	ts, _ := f.stamp(0)
	n := &payfeedback.Notification{
		AppID:      f.appID,
		TimeStamp:  strconv.FormatInt(ts, 10),
		OpenID:     req.OpenID,
		MsgType:    mt,
		FeedBackID: req.FeedBackID,
		Reason:     sampleReason,
		SignMethod: payfeedback.SignMethodSHA1,
	}
	f.sign(n, f.key)
	return n
}

// fitsInt64 reports whether a decimal id fits an int64.
func fitsInt64(id string) bool {
	_, err := strconv.ParseInt(id, 10, 64)
	return err == nil
}

// sign signs n with key; the values are the suite's own, so it cannot fail
// unless key is empty (which settle refuses).
func (f *forge) sign(n *payfeedback.Notification, key string) {
	if err := n.Sign(key); err != nil {
		panic("conformance: signing a notification: " + err.Error())
	}
}

// encode writes n as WeChat does (CDATA).
func encode(n *payfeedback.Notification) []byte {
	b, err := n.Encode()
	if err != nil {
		panic("conformance: encoding a notification: " + err.Error())
	}
	return b
}
