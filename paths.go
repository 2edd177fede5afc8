package payfeedback

// The API paths of WeChat that the Client calls and mockwechat serves,
// relative to the base URL (docs/protocol.md: the token, update, customer
// message and deliver-notify APIs, and the media upload).
const (
	PathToken          = "/cgi-bin/token"
	PathUpdateFeedback = "/payfeedback/update"
	PathSendMessage    = "/cgi-bin/message/custom/send"
	PathDeliverNotify  = "/pay/delivernotify"
	PathUploadMedia    = "/cgi-bin/media/upload"
)
