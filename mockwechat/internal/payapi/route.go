package payapi

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/payfeedback/payfeedback/apiv3"
	"github.com/payfeedback/payfeedback/complaints"
)

// The endpoints, by path (the complaint and media ids are path segments).
var (
	epList            = &endpoint{name: complaints.EndpointList, method: http.MethodGet, serve: (*Handler).list}
	epDetail          = &endpoint{name: complaints.EndpointDetail, method: http.MethodGet, serve: (*Handler).detail}
	epHistory         = &endpoint{name: complaints.EndpointHistory, method: http.MethodGet, serve: (*Handler).history}
	epResponse        = &endpoint{name: complaints.EndpointResponse, method: http.MethodPost, serve: (*Handler).respond}
	epComplete        = &endpoint{name: complaints.EndpointComplete, method: http.MethodPost, serve: (*Handler).complete}
	epRefund          = &endpoint{name: complaints.EndpointRefundProgress, method: http.MethodPost, serve: (*Handler).refund}
	epImmediate       = &endpoint{name: complaints.EndpointImmediateService, method: http.MethodPost, serve: (*Handler).immediate}
	epNotifyCreate    = &endpoint{name: complaints.EndpointNotificationURL, method: http.MethodPost, serve: (*Handler).createNotifyURL}
	epNotifyQuery     = &endpoint{name: complaints.EndpointNotificationURL, method: http.MethodGet, serve: (*Handler).queryNotifyURL}
	epNotifyUpdate    = &endpoint{name: complaints.EndpointNotificationURL, method: http.MethodPut, serve: (*Handler).updateNotifyURL}
	epNotifyDelete    = &endpoint{name: complaints.EndpointNotificationURL, method: http.MethodDelete, serve: (*Handler).deleteNotifyURL}
	epUpload          = &endpoint{name: complaints.EndpointImageUpload, method: http.MethodPost, upload: true, serve: (*Handler).uploadImage}
	epImage           = &endpoint{name: complaints.EndpointImageDownload, method: http.MethodGet, serve: (*Handler).image}
	epCertificates    = &endpoint{name: EndpointCertificates, method: http.MethodGet, serve: (*Handler).certificates}
	complaintSubpaths = map[string]*endpoint{"": epDetail, "negotiation-historys": epHistory, "response": epResponse,
		"complete": epComplete, "update-refund-progress": epRefund, "response-immediate-service": epImmediate}
)

// route finds the endpoint of method on the escaped path, and the id its
// path holds (unescaped). With none, allowed names the methods the path
// takes ("" for a path not served).
func route(method, path string) (ep *endpoint, id, allowed string) {
	var candidates []*endpoint
	switch {
	case path == complaints.PathComplaints:
		candidates = []*endpoint{epList}
	case strings.HasPrefix(path, complaints.PathComplaints+"/"):
		rest := path[len(complaints.PathComplaints)+1:]
		raw, sub, _ := strings.Cut(rest, "/")
		e, ok := complaintSubpaths[sub]
		if !ok || raw == "" {
			return nil, "", ""
		}
		var err error
		if id, err = url.PathUnescape(raw); err != nil {
			return nil, "", ""
		}
		candidates = []*endpoint{e}
	case path == complaints.PathNotifications:
		candidates = []*endpoint{epNotifyCreate, epNotifyQuery, epNotifyUpdate, epNotifyDelete}
	case path == complaints.PathImageUpload:
		candidates = []*endpoint{epUpload}
	case strings.HasPrefix(path, complaints.PathImage("")):
		raw := path[len(complaints.PathImage("")):]
		var err error
		if id, err = url.PathUnescape(raw); err != nil || raw == "" {
			return nil, "", ""
		}
		candidates = []*endpoint{epImage}
	case path == apiv3.PathCertificates:
		candidates = []*endpoint{epCertificates}
	default:
		return nil, "", ""
	}
	var methods []string
	for _, e := range candidates {
		if e.method == method {
			return e, id, ""
		}
		methods = append(methods, e.method)
	}
	return nil, "", strings.Join(methods, ", ")
}
