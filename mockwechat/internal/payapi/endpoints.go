package payapi

import (
	"encoding/json"
	"net/http"
	"net/url"
	"reflect"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
	"github.com/payfeedback/payfeedback/mockwechat/internal/paykeys"
	"github.com/payfeedback/payfeedback/mockwechat/internal/payworld"
)

// effects hands the world's effects to the wiring.
func (h *Handler) effects(fx payworld.Effects) {
	if h.o.Effects != nil && !fx.Empty() {
		h.o.Effects(fx)
	}
}

// parseQuery parses the request's query; a malformed one is a parameter error.
func parseQuery(c *call) (url.Values, *apiv3.Error) {
	q, err := url.ParseQuery(c.r.URL.RawQuery)
	if err != nil {
		return nil, paramError("", "query", "查询参数格式有误", "the query does not parse: "+err.Error())
	}
	return q, nil
}

func (h *Handler) list(c *call) answer {
	q, e := parseQuery(c)
	if e != nil {
		return fail(e)
	}
	var r complaints.ListRequest
	for _, d := range []struct {
		name string
		into *complaints.Date
	}{{"begin_date", &r.BeginDate}, {"end_date", &r.EndDate}} {
		if raw := q.Get(d.name); raw != "" {
			day, err := complaints.ParseDate(raw)
			if err != nil {
				return fail(paramError(d.name, "query", "输入源“"+d.name+"”映射到值字段“"+d.name+"”日期格式有误", err.Error()))
			}
			*d.into = day
		}
	}
	if r.Limit, e = queryInt(q.Get("limit"), "limit"); e != nil {
		return fail(e)
	}
	if r.Offset, e = queryInt(q.Get("offset"), "offset"); e != nil {
		return fail(e)
	}
	r.ComplaintedMchID = q.Get("complainted_mchid")
	page, err := h.o.World.List(c.mchid, r)
	if err != nil {
		return failure(err, "query", nil)
	}
	return ok(page)
}

func (h *Handler) detail(c *call) answer {
	d, err := h.o.World.Detail(c.mchid, c.id)
	if err != nil {
		return failure(err, "path", nil)
	}
	return ok(d)
}

func (h *Handler) history(c *call) answer {
	q, e := parseQuery(c)
	if e != nil {
		return fail(e)
	}
	var r complaints.HistoryRequest
	if r.Limit, e = queryInt(q.Get("limit"), "limit"); e != nil {
		return fail(e)
	}
	if r.Offset, e = queryInt(q.Get("offset"), "offset"); e != nil {
		return fail(e)
	}
	page, err := h.o.World.History(c.mchid, c.id, r)
	if err != nil {
		return failure(err, "query", nil)
	}
	return ok(page)
}

// decodeRequest decodes a JSON body into the request type T (see decodeBody).
func decodeRequest[T any](h *Handler, body []byte) (T, *apiv3.Error) {
	return decodeBody[T](h.members[reflect.TypeFor[T]()], h.o.AcceptUnknownMembers, body)
}

// act decodes a body into a T and runs the merchant's act f with it;
// success answers 204.
func act[T any](h *Handler, c *call, f func(T) (payworld.Effects, error)) answer {
	r, e := decodeRequest[T](h, c.body)
	if e != nil {
		return fail(e)
	}
	fx, err := f(r)
	if err != nil {
		return failure(err, "body", c.body)
	}
	h.effects(fx)
	return noContent()
}

func (h *Handler) respond(c *call) answer {
	return act(h, c, func(r complaints.ResponseRequest) (payworld.Effects, error) {
		return h.o.World.Respond(c.mchid, c.id, r)
	})
}

func (h *Handler) complete(c *call) answer {
	return act(h, c, func(r complaints.CompleteRequest) (payworld.Effects, error) {
		return h.o.World.Complete(c.mchid, c.id, r)
	})
}

func (h *Handler) refund(c *call) answer {
	return act(h, c, func(r complaints.RefundProgressRequest) (payworld.Effects, error) {
		return h.o.World.UpdateRefundProgress(c.mchid, c.id, r)
	})
}

func (h *Handler) immediate(c *call) answer {
	r, e := decodeRequest[complaints.ImmediateServiceRequest](h, c.body)
	if e != nil {
		return fail(e)
	}
	a, fx, err := h.o.World.RespondImmediately(c.mchid, c.id, r)
	if err != nil {
		return failure(err, "body", c.body)
	}
	h.effects(fx)
	return ok(a)
}

// setNotifyURL decodes and checks a callback URL, then sets it with f. A
// plain http URL (on this machine: Validate refuses it elsewhere) is taken
// with a warning: WeChat requires https.
func (h *Handler) setNotifyURL(c *call, f func(mchid, url string) (complaints.NotificationURL, payworld.Effects, error)) answer {
	r, e := decodeRequest[complaints.NotificationURLRequest](h, c.body)
	if e != nil {
		return fail(e)
	}
	if err := r.Validate(); err != nil {
		return failure(err, "body", c.body)
	}
	if u, err := url.Parse(r.URL); err == nil && u.Scheme == "http" {
		c.rec.Warnings = append(c.rec.Warnings, "callback URL "+clip(r.URL, 255)+" is plain http on this machine: the fake takes it, WeChat requires https")
	}
	n, fx, err := f(c.mchid, r.URL)
	if err != nil {
		return failure(err, "body", c.body)
	}
	h.effects(fx)
	return ok(n)
}

func (h *Handler) createNotifyURL(c *call) answer {
	return h.setNotifyURL(c, h.o.World.CreateNotifyURL)
}

func (h *Handler) updateNotifyURL(c *call) answer {
	return h.setNotifyURL(c, h.o.World.UpdateNotifyURL)
}

func (h *Handler) queryNotifyURL(c *call) answer {
	n, err := h.o.World.NotifyURL(c.mchid)
	if err != nil {
		return failure(err, "", nil)
	}
	return ok(n)
}

func (h *Handler) deleteNotifyURL(c *call) answer {
	fx, err := h.o.World.DeleteNotifyURL(c.mchid)
	if err != nil {
		return failure(err, "", nil)
	}
	h.effects(fx)
	return noContent()
}

func (h *Handler) uploadImage(c *call) answer {
	meta, e := decodeUploadMeta(c.signed)
	if e != nil {
		return fail(e)
	}
	a, fx, err := h.o.World.UploadImage(c.mchid, meta, c.file)
	if err != nil {
		return failure(err, "body", c.signed)
	}
	h.effects(fx)
	return ok(a)
}

// decodeUploadMeta decodes the meta part (members beyond filename and
// sha256 are ignored: the signature covers them as sent).
func decodeUploadMeta(b []byte) (complaints.UploadMeta, *apiv3.Error) {
	var m complaints.UploadMeta
	if err := json.Unmarshal(b, &m); err != nil {
		return m, paramError("meta", "body", "meta 不是合法的JSON", `the meta part is not the JSON {"filename","sha256"}: `+err.Error())
	}
	return m, nil
}

// image answers an image unsigned, as WeChat does ("该接口响应的信息请求头中不包
// 含微信接口响应的签名值"); its errors are JSON, signed.
func (h *Handler) image(c *call) answer {
	img, err := h.o.World.Image(c.mchid, c.id)
	if err != nil {
		return failure(err, "path", nil)
	}
	return answer{status: http.StatusOK, body: img.Data, contentType: img.ContentType, unsigned: true}
}

// MsgNoPlatformCertificate is WeChat's answer to GET /v3/certificates for
// a merchant on the public key.
const MsgNoPlatformCertificate = "无可用的平台证书,请在商户平台-API安全申请使用微信支付公钥。"

// certificates lists the platform certificates encrypted with the
// merchant's APIv3 key, as GET /v3/certificates answers: the one that
// signs and, after a rotation, the one it replaced until that expires
// (paykeys.Identity.PlatformCertificates), signed in platform-certificate
// mode by the replaced one until then (CertificatesSigner: a merchant
// trusts a new certificate through one it holds); in public-key mode
// there is none: 400 RESOURCE_NOT_EXISTS. The algorithm_type parameter is ignored
// (the fake's certificate is RSA).
func (h *Handler) certificates(c *call) answer {
	if mode, _ := h.o.Signing.Mode(); mode == paykeys.ModePublicKey {
		return fail(&apiv3.Error{StatusCode: http.StatusBadRequest, Code: apiv3.CodeResourceNotExists, Message: MsgNoPlatformCertificate,
			Detail: &apiv3.ErrorDetail{Issue: "the fake is in public-key mode: configure the WeChat Pay public key (pub_key.pem and its id)"}})
	}
	m, found := h.o.World.Merchant(c.mchid)
	if !found {
		return failure(payworld.ErrNotFound, "", nil)
	}
	aead, err := apiv3.NewAEAD(m.APIv3Key)
	if err != nil {
		return failure(err, "", nil)
	}
	var out apiv3.CertificatesAnswer
	id, now := h.o.Signing.Identity(), h.o.Now()
	for _, pc := range id.PlatformCertificates(now) {
		enc, err := apiv3.EncryptCertificate(pc.Cert, pc.PEM, aead)
		if err != nil {
			return failure(err, "", nil)
		}
		out.Data = append(out.Data, enc)
	}
	a := ok(out)
	if mode, _ := h.o.Signing.Mode(); mode == paykeys.ModePlatformCertificate {
		a.signer = id.CertificatesSigner(now)
	}
	return a
}
