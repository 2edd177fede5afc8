package complaints

import "slices"

// The enumerations of Complaints 2.0 (docs/complaints-v3.md, "Enumerations").
// Each is a string type: a value WeChat adds after this package was written
// decodes, compares and encodes as it came, and Known reports whether a
// value is one the documentation lists. Misspellings are WeChat's and are
// part of the wire format: they are kept as they are sent.
//
// Each enumeration also has a function returning its documented values, a
// fresh slice on every call.

// ComplaintState is a complaint's complaint_state.
type ComplaintState string

// The documented complaint states.
const (
	StatePending    ComplaintState = "PENDING"    // 待处理: no merchant reply yet
	StateProcessing ComplaintState = "PROCESSING" // 处理中: the merchant replied
	StateProcessed  ComplaintState = "PROCESSED"  // 已处理完成
)

// ComplaintStates returns the documented complaint states.
func ComplaintStates() []ComplaintState {
	return []ComplaintState{StatePending, StateProcessing, StateProcessed}
}

// Known reports whether s is a documented complaint state.
func (s ComplaintState) Known() bool { return slices.Contains(ComplaintStates(), s) }

// ProblemType is a complaint's problem_type.
type ProblemType string

// The documented problem types.
const (
	ProblemRefund         ProblemType = "REFUND"           // 申请退款 (highest priority)
	ProblemServiceNotWork ProblemType = "SERVICE_NOT_WORK" // 服务权益未生效
	ProblemOthers         ProblemType = "OTHERS"           // 其他
)

// ProblemTypes returns the documented problem types.
func ProblemTypes() []ProblemType {
	return []ProblemType{ProblemRefund, ProblemServiceNotWork, ProblemOthers}
}

// Known reports whether p is a documented problem type.
func (p ProblemType) Known() bool { return slices.Contains(ProblemTypes(), p) }

// MediaType is the media_type of a complaint's media.
type MediaType string

// The documented media types.
const (
	MediaUserComplaintImage MediaType = "USER_COMPLAINT_IMAGE" // the user's evidence
	MediaOperationImage     MediaType = "OPERATION_IMAGE"      // images of the negotiation
)

// MediaTypes returns the documented media types.
func MediaTypes() []MediaType {
	return []MediaType{MediaUserComplaintImage, MediaOperationImage}
}

// Known reports whether m is a documented media type.
func (m MediaType) Known() bool { return slices.Contains(MediaTypes(), m) }

// UserTag is an entry of a complaint's user_tag_list. The sources disagree
// on the values (docs/complaints-v3.md, "Decisions"): all three are known.
type UserTag string

// The documented user tags.
const (
	TagTrusted  UserTag = "TRUSTED"   // 可信: eligible for a fast refund
	TagHighRisk UserTag = "HIGH_RISK" // in the newer transcription of the page
	TagOthers   UserTag = "OTHERS"    // in an SDK's comment
)

// UserTags returns the documented user tags.
func UserTags() []UserTag { return []UserTag{TagTrusted, TagHighRisk, TagOthers} }

// Known reports whether t is a documented user tag.
func (t UserTag) Known() bool { return slices.Contains(UserTags(), t) }

// ServiceOrderState is the state of a 支付分 service order linked to a
// complaint.
type ServiceOrderState string

// The documented service-order states (CREATED became WAITPAY and EXPIRED
// was removed in 2022-06).
const (
	ServiceOrderDoing   ServiceOrderState = "DOING"
	ServiceOrderRevoked ServiceOrderState = "REVOKED"
	ServiceOrderWaitPay ServiceOrderState = "WAITPAY"
	ServiceOrderDone    ServiceOrderState = "DONE"
)

// ServiceOrderStates returns the documented service-order states.
func ServiceOrderStates() []ServiceOrderState {
	return []ServiceOrderState{ServiceOrderDoing, ServiceOrderRevoked, ServiceOrderWaitPay, ServiceOrderDone}
}

// Known reports whether s is a documented service-order state.
func (s ServiceOrderState) Known() bool { return slices.Contains(ServiceOrderStates(), s) }

// AdditionalInfoType is the type of a complaint's additional_info.
type AdditionalInfoType string

// AdditionalInfoSharePower marks a power-bank (充电宝) complaint: its
// details are in SharePowerInfo.
const AdditionalInfoSharePower AdditionalInfoType = "SHARE_POWER_TYPE"

// AdditionalInfoTypes returns the documented additional-info types.
func AdditionalInfoTypes() []AdditionalInfoType {
	return []AdditionalInfoType{AdditionalInfoSharePower}
}

// Known reports whether t is a documented additional-info type.
func (t AdditionalInfoType) Known() bool { return slices.Contains(AdditionalInfoTypes(), t) }

// RefundAction is the action of an update-refund-progress request.
type RefundAction string

// The two refund decisions.
const (
	RefundApprove RefundAction = "APPROVE"
	RefundReject  RefundAction = "REJECT"
)

// RefundActions returns the documented refund actions.
func RefundActions() []RefundAction { return []RefundAction{RefundApprove, RefundReject} }

// Known reports whether a is a documented refund action.
func (a RefundAction) Known() bool { return slices.Contains(RefundActions(), a) }

// EventType is the event_type of a complaint callback's envelope.
type EventType string

// The documented complaint event types.
const (
	EventCreate      EventType = "COMPLAINT.CREATE"       // 产生新投诉
	EventStateChange EventType = "COMPLAINT.STATE_CHANGE" // 投诉状态变化
)

// EventTypes returns the documented event types.
func EventTypes() []EventType { return []EventType{EventCreate, EventStateChange} }

// Known reports whether e is a documented event type.
func (e EventType) Known() bool { return slices.Contains(EventTypes(), e) }

// ActionType is the action_type of a complaint callback's decrypted
// resource: what happened to the complaint. WeChat advises routing the
// types a merchant does not handle to a default path, and monitoring it.
type ActionType string

// The documented action types. The last three concern 申请退款 complaints
// (problem_type REFUND): query the detail after them.
const (
	ActionCreateComplaint         ActionType = "CREATE_COMPLAINT"          // the user filed the complaint
	ActionContinueComplaint       ActionType = "CONTINUE_COMPLAINT"        // the user complained again
	ActionUserResponse            ActionType = "USER_RESPONSE"             // the user left a message
	ActionResponseByPlatform      ActionType = "RESPONSE_BY_PLATFORM"      // WeChat left a message
	ActionSellerRefund            ActionType = "SELLER_REFUND"             // the merchant refunded in full
	ActionMerchantResponse        ActionType = "MERCHANT_RESPONSE"         // the merchant replied
	ActionMerchantConfirmComplete ActionType = "MERCHANT_CONFIRM_COMPLETE" // the merchant marked it complete
	// ActionUserApplyPlatformService: the user asked WeChat to step in. See
	// ActionUserApplyPlatformSerivce for the other spelling.
	ActionUserApplyPlatformService ActionType = "USER_APPLY_PLATFORM_SERVICE"
	// ActionUserApplyPlatformSerivce is the spelling of WeChat's 2024-09
	// changelog for ActionUserApplyPlatformService. Which one the wire
	// carries is not documented: both are known, and Canonical maps this
	// one to the other.
	ActionUserApplyPlatformSerivce  ActionType = "USER_APPLY_PLATFORM_SERIVCE"
	ActionUserCancelPlatformService ActionType = "USER_CANCEL_PLATFORM_SERVICE" // the user withdrew that request
	ActionPlatformServiceFinished   ActionType = "PLATFORM_SERVICE_FINISHED"    // WeChat's service ended
	ActionMerchantApproveRefund     ActionType = "MERCHANT_APPROVE_REFUND"
	ActionMerchantRejectRefund      ActionType = "MERCHANT_REJECT_REFUND"
	ActionRefundSuccess             ActionType = "REFUND_SUCCESS"
)

// ActionTypes returns the documented action types, both spellings of
// USER_APPLY_PLATFORM_SERVICE included.
func ActionTypes() []ActionType {
	return []ActionType{
		ActionCreateComplaint, ActionContinueComplaint, ActionUserResponse,
		ActionResponseByPlatform, ActionSellerRefund, ActionMerchantResponse,
		ActionMerchantConfirmComplete, ActionUserApplyPlatformService,
		ActionUserApplyPlatformSerivce, ActionUserCancelPlatformService,
		ActionPlatformServiceFinished, ActionMerchantApproveRefund,
		ActionMerchantRejectRefund, ActionRefundSuccess,
	}
}

// Known reports whether a is a documented action type.
func (a ActionType) Known() bool { return slices.Contains(ActionTypes(), a) }

// Canonical returns a with WeChat's known misspellings corrected
// (USER_APPLY_PLATFORM_SERIVCE → USER_APPLY_PLATFORM_SERVICE), so a router
// registers one name for both; any other value is returned as it is.
func (a ActionType) Canonical() ActionType {
	if a == ActionUserApplyPlatformSerivce {
		return ActionUserApplyPlatformService
	}
	return a
}

// OperateType is the operate_type of a negotiation-history entry.
type OperateType string

// The documented operate types, with WeChat's spellings.
const (
	OperateUserCreateComplaint                   OperateType = "USER_CREATE_COMPLAINT"                     // 用户提交投诉
	OperateUserContinueComplaint                 OperateType = "USER_CONTINUE_COMPLAINT"                   // 用户继续投诉
	OperateUserResponse                          OperateType = "USER_RESPONSE"                             // 用户留言
	OperatePlatformResponse                      OperateType = "PLATFORM_RESPONSE"                         // 平台留言
	OperateMerchantResponse                      OperateType = "MERCHANT_RESPONSE"                         // 商户留言
	OperateMerchantConfirmComplete               OperateType = "MERCHANT_CONFIRM_COMPLETE"                 // 商户申请结单
	OperateUserCreateComplaintSystemMessage      OperateType = "USER_CREATE_COMPLAINT_SYSTEM_MESSAGE"      // 用户提交投诉系统通知
	OperateComplaintFullRefundedSystemMessage    OperateType = "COMPLAINT_FULL_REFUNDED_SYSTEM_MESSAGE"    // 全额退款系统通知
	OperateUserContinueComplaintSystemMessage    OperateType = "USER_CONTINUE_COMPLAINT_SYSTEM_MESSAGE"    // 用户继续投诉系统通知
	OperateUserRevokeComplaint                   OperateType = "USER_REVOKE_COMPLAINT"                     // 用户主动撤诉 (older complaints only)
	OperateUserComfirmComplaint                  OperateType = "USER_COMFIRM_COMPLAINT"                    // (sic) 用户确认投诉解决 (older complaints only)
	OperatePlatformHelpApplication               OperateType = "PLATFORM_HELP_APPLICATION"                 // 平台催办
	OperateUserApplyPlatformHelp                 OperateType = "USER_APPLY_PLATFORM_HELP"                  // 用户申请平台协助
	OperateMerchantApproveRefund                 OperateType = "MERCHANT_APPROVE_REFUND"                   // 商户同意退款申请
	OperateMerchantRefuseRerund                  OperateType = "MERCHANT_REFUSE_RERUND"                    // (sic) 商户拒绝退款申请: operate_details holds the reason
	OperateUserSubmitSatisfaction                OperateType = "USER_SUBMIT_SATISFACTION"                  // 满意度调查结果: operate_details holds the score
	OperateServiceOrderCancel                    OperateType = "SERVICE_ORDER_CANCEL"                      // 服务订单已取消
	OperateServiceOrderComplete                  OperateType = "SERVICE_ORDER_COMPLETE"                    // 服务订单已完成
	OperateComplaintPartialRefundedSystemMessage OperateType = "COMPLAINT_PARTIAL_REFUNDED_SYSTEM_MESSAGE" // 部分退款系统通知
	OperateComplaintRefundReceivedSystemMessage  OperateType = "COMPLAINT_REFUND_RECEIVED_SYSTEM_MESSAGE"  // 退款到账系统通知
	OperateComplaintEntrustedRefundSystemMessage OperateType = "COMPLAINT_ENTRUSTED_REFUND_SYSTEM_MESSAGE" // 受托退款系统通知
	OperateUserApplyPlatformService              OperateType = "USER_APPLY_PLATFORM_SERVICE"               // 用户申请平台协助
	OperateUserCancelPlatformService             OperateType = "USER_CANCEL_PLATFORM_SERVICE"              // 用户取消平台协助
	OperatePlatformServiceFinished               OperateType = "PLATFORM_SERVICE_FINISHED"                 // 客服结束平台协助
	OperateUserClickResponse                     OperateType = "USER_CLICK_RESPONSE"                       // 用户因点击产生留言
	OperateComplaintFullRefunded                 OperateType = "COMPLAINT_FULL_REFUNDED"                   // removed from the documentation in 2022-08
	OperateMerchantConfirmCompleteSystemMessage  OperateType = "MERCHANT_CONFIRM_COMPLETE_SYSTEM_MESSAGE"  // removed from the documentation in 2022-08
	OperateServiceOrderWaitUserPay               OperateType = "SERVICE_ORDER_WAIT_USER_PAY"               // removed from the documentation in 2022-06
)

// OperateTypes returns the documented operate types: the 25 of the current
// documentation, then the 3 it removed, which older histories may hold.
func OperateTypes() []OperateType {
	return []OperateType{
		OperateUserCreateComplaint, OperateUserContinueComplaint, OperateUserResponse,
		OperatePlatformResponse, OperateMerchantResponse, OperateMerchantConfirmComplete,
		OperateUserCreateComplaintSystemMessage, OperateComplaintFullRefundedSystemMessage,
		OperateUserContinueComplaintSystemMessage, OperateUserRevokeComplaint,
		OperateUserComfirmComplaint, OperatePlatformHelpApplication,
		OperateUserApplyPlatformHelp, OperateMerchantApproveRefund,
		OperateMerchantRefuseRerund, OperateUserSubmitSatisfaction,
		OperateServiceOrderCancel, OperateServiceOrderComplete,
		OperateComplaintPartialRefundedSystemMessage, OperateComplaintRefundReceivedSystemMessage,
		OperateComplaintEntrustedRefundSystemMessage, OperateUserApplyPlatformService,
		OperateUserCancelPlatformService, OperatePlatformServiceFinished,
		OperateUserClickResponse,
		OperateComplaintFullRefunded, OperateMerchantConfirmCompleteSystemMessage,
		OperateServiceOrderWaitUserPay,
	}
}

// Known reports whether o is a documented operate type (removed ones
// included).
func (o OperateType) Known() bool { return slices.Contains(OperateTypes(), o) }

// BlockType is the type of a block of a NormalMessage.
type BlockType string

// The documented block types.
const (
	BlockText        BlockType = "TEXT"
	BlockImage       BlockType = "IMAGE"
	BlockLink        BlockType = "LINK"
	BlockFAQList     BlockType = "FAQ_LIST"
	BlockButton      BlockType = "BUTTON"
	BlockButtonGroup BlockType = "BUTTON_GROUP"
)

// BlockTypes returns the documented block types.
func BlockTypes() []BlockType {
	return []BlockType{BlockText, BlockImage, BlockLink, BlockFAQList, BlockButton, BlockButtonGroup}
}

// Known reports whether b is a documented block type.
func (b BlockType) Known() bool { return slices.Contains(BlockTypes(), b) }

// TextColor is the color of a text block.
type TextColor string

// The documented text colors.
const (
	ColorDefault   TextColor = "DEFAULT"
	ColorSecondary TextColor = "SECONDARY"
)

// TextColors returns the documented text colors.
func TextColors() []TextColor { return []TextColor{ColorDefault, ColorSecondary} }

// Known reports whether c is a documented text color.
func (c TextColor) Known() bool { return slices.Contains(TextColors(), c) }

// ImageStyle is the image_style_type of an image block.
type ImageStyle string

// The documented image styles.
const (
	ImageStyleNarrow ImageStyle = "IMAGE_STYLE_TYPE_NARROW"
	ImageStyleWide   ImageStyle = "IMAGE_STYLE_TYPE_WIDE"
)

// ImageStyles returns the documented image styles.
func ImageStyles() []ImageStyle { return []ImageStyle{ImageStyleNarrow, ImageStyleWide} }

// Known reports whether s is a documented image style.
func (s ImageStyle) Known() bool { return slices.Contains(ImageStyles(), s) }

// ButtonLayout is the button_layout of a button group.
type ButtonLayout string

// The documented button layouts.
const (
	LayoutUnknown    ButtonLayout = "LAYOUT_UNKNOWN"
	LayoutHorizontal ButtonLayout = "LAYOUT_HORIZONTAL"
	LayoutVertical   ButtonLayout = "LAYOUT_VERTICAL"
)

// ButtonLayouts returns the documented button layouts.
func ButtonLayouts() []ButtonLayout {
	return []ButtonLayout{LayoutUnknown, LayoutHorizontal, LayoutVertical}
}

// Known reports whether l is a documented button layout.
func (l ButtonLayout) Known() bool { return slices.Contains(ButtonLayouts(), l) }

// MessageActionType is the action_type of a MessageAction: what clicking a
// link, a button or a FAQ does. (Not to be confused with ActionType, the
// kind of a callback.)
type MessageActionType string

// The documented message action types.
const (
	MessageActionSendMessage     MessageActionType = "ACTION_TYPE_SEND_MESSAGE"      // send MessageInfo as the user's message
	MessageActionJumpURL         MessageActionType = "ACTION_TYPE_JUMP_URL"          // open JumpURL
	MessageActionJumpMiniProgram MessageActionType = "ACTION_TYPE_JUMP_MINI_PROGRAM" // open MiniProgramJumpInfo
)

// MessageActionTypes returns the documented message action types.
func MessageActionTypes() []MessageActionType {
	return []MessageActionType{MessageActionSendMessage, MessageActionJumpURL, MessageActionJumpMiniProgram}
}

// Known reports whether a is a documented message action type.
func (a MessageActionType) Known() bool { return slices.Contains(MessageActionTypes(), a) }

// SenderIdentity is the sender_identity of a NormalMessage: who wrote it.
type SenderIdentity string

// The documented sender identities.
const (
	SenderUnknown SenderIdentity = "UNKNOWN"
	SenderManual  SenderIdentity = "MANUAL"  // a person
	SenderMachine SenderIdentity = "MACHINE" // a bot
)

// SenderIdentities returns the documented sender identities.
func SenderIdentities() []SenderIdentity {
	return []SenderIdentity{SenderUnknown, SenderManual, SenderMachine}
}

// Known reports whether s is a documented sender identity.
func (s SenderIdentity) Known() bool { return slices.Contains(SenderIdentities(), s) }
