// Package complaints is the vocabulary of WeChat Pay's Consumer Complaints
// 2.0 (消费者投诉2.0), the complaint system of WeChat Pay APIv3: every wire
// name of it lives here, as the root package payfeedback holds those of the
// 2014 system (V1.5). docs/complaints-v3.md documents the protocol, and the
// apiv3 package (docs/apiv3.md) signs, verifies and decrypts; this package
// knows complaints, and leaves every signature and cipher to apiv3.
//
// # The model
//
// Complaint is a complaint as the detail and list endpoints answer it,
// NegotiationHistory an entry of its history, Page a page of either;
// NormalMessage is a message in blocks (the immediate-service reply and
// the history's normal_message). Field names are WeChat's, misspellings
// included (negotiation-historys, user_appy_platform_service_reason).
//
// Enumerations (ComplaintState, ActionType, OperateType, …) are string
// types with a constant for each documented value and a Known method:
// WeChat adds values every year and misspells some
// (USER_APPLY_PLATFORM_SERIVCE exists beside USER_APPLY_PLATFORM_SERVICE),
// and an unknown value decodes, compares and encodes as it came. Members
// of an answer that a type does not declare are kept in its Extra field
// and written back when it is encoded: decoding and re-encoding loses
// nothing.
//
// # Callbacks
//
// A complaint callback's envelope and its encryption are apiv3's; the
// decrypted resource is an Event, which ParseEvent decodes: the complaint's
// id and its ActionType, nothing else (query the detail).
//
// # Requests
//
// Each write endpoint has a request type (ResponseRequest, CompleteRequest,
// RefundProgressRequest, ImmediateServiceRequest, NotificationURLRequest)
// and each query one (ListRequest, HistoryRequest), with a Validate method
// checking the documented limits before anything is sent: lengths in
// characters (runes; APIv3 takes no 4-byte UTF-8 character), counts,
// required pairs, dates. A refusal is a *ValidationError naming the field
// and the rule; errors.Is(err, ErrInvalidRequest) holds for each.
// SplitSpan cuts a range of days into the 30-day windows of the list
// endpoint. The Path functions build each endpoint's path.
//
// # Calling WeChat
//
// Client calls every endpoint through an apiv3.Client, which signs each
// request and verifies each answer before it is believed: List and ListAll
// (an iterator over any span, cut into 30-day windows, page by page),
// Detail, History and HistoryAll, Respond, Complete, UpdateRefundProgress,
// RespondImmediately, the callback URL (Create, Query, Update,
// DeleteNotificationURL), UploadImage and DownloadImage. A page WeChat finds
// too large ("当前查询结果数据量过大") is asked again with half the limit.
// Its base URL is an option (ClientOptions.API.BaseURL), so tests point it
// at a fake; retries of SYSTEM_ERROR and FREQUENCY_LIMITED
// (ClientOptions.API.Retry) and pacing under WeChat's per-minute limits
// (ClientOptions.Pacing) are opt-in. Complaint.DecryptPayerPhone decrypts
// the user's phone with the merchant's key.
package complaints
