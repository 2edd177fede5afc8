package complaints

import "net/url"

// The paths of the Complaints 2.0 endpoints, relative to the API host
// (https://api.mch.weixin.qq.com; docs/complaints-v3.md, "Endpoints").
// The functions path-escape the id they put in (url.PathEscape: "/" is
// escaped, Base64's "=" and "+" are not); check ids first with
// ValidateComplaintID.
const (
	// PathComplaints lists complaints (GET, ListRequest's query).
	PathComplaints = "/v3/merchant-service/complaints-v2"
	// PathNotifications is the merchant's callback URL: POST creates it,
	// GET queries it, PUT changes it, DELETE removes it.
	PathNotifications = "/v3/merchant-service/complaint-notifications"
	// PathImageUpload uploads an image (POST, multipart).
	PathImageUpload = "/v3/merchant-service/images/upload"
)

// pathImages is the prefix of an image's path.
const pathImages = "/v3/merchant-service/images/"

// PathComplaint is the path of a complaint's detail (GET).
func PathComplaint(complaintID string) string {
	return PathComplaints + "/" + url.PathEscape(complaintID)
}

// PathNegotiationHistory is the path of a complaint's negotiation history
// (GET, HistoryRequest's query). "historys" is WeChat's spelling.
func PathNegotiationHistory(complaintID string) string {
	return PathComplaint(complaintID) + "/negotiation-historys"
}

// PathResponse is the path of a reply to the user (POST ResponseRequest).
func PathResponse(complaintID string) string {
	return PathComplaint(complaintID) + "/response"
}

// PathComplete is the path marking a complaint handled (POST
// CompleteRequest).
func PathComplete(complaintID string) string {
	return PathComplaint(complaintID) + "/complete"
}

// PathUpdateRefundProgress is the path of a refund decision (POST
// RefundProgressRequest).
func PathUpdateRefundProgress(complaintID string) string {
	return PathComplaint(complaintID) + "/update-refund-progress"
}

// PathResponseImmediateService is the path of an immediate-service reply
// (POST ImmediateServiceRequest).
func PathResponseImmediateService(complaintID string) string {
	return PathComplaint(complaintID) + "/response-immediate-service"
}

// PathImage is the path of an image's download (GET; the answer is the
// image, unsigned). Get the id of a media URL with MediaIDFromURL.
func PathImage(mediaID string) string {
	return pathImages + url.PathEscape(mediaID)
}

// WithQuery returns path followed by ? and the encoded query, or path alone
// when the query is empty (never a lone "?": the signed request-target must
// be the one sent).
func WithQuery(path string, query url.Values) string {
	if q := query.Encode(); q != "" {
		return path + "?" + q
	}
	return path
}
