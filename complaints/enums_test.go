package complaints

import (
	"slices"
	"testing"
)

// enumCase is an enumeration's documented values as strings, the number
// documented, and its Known method.
type enumCase struct {
	values []string
	count  int
	known  func(string) bool
}

func enumOf[E interface {
	~string
	Known() bool
}](values []E, count int) enumCase {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = string(v)
	}
	return enumCase{s, count, func(v string) bool { return E(v).Known() }}
}

// TestEnums: every documented value is Known and listed once, the lists
// have the documented sizes, and unknown values are not Known.
func TestEnums(t *testing.T) {
	for name, c := range map[string]enumCase{
		"ComplaintState":     enumOf(ComplaintStates(), 3),
		"ProblemType":        enumOf(ProblemTypes(), 3),
		"MediaType":          enumOf(MediaTypes(), 2),
		"UserTag":            enumOf(UserTags(), 3),
		"ServiceOrderState":  enumOf(ServiceOrderStates(), 4),
		"AdditionalInfoType": enumOf(AdditionalInfoTypes(), 1),
		"RefundAction":       enumOf(RefundActions(), 2),
		"EventType":          enumOf(EventTypes(), 2),
		"ActionType":         enumOf(ActionTypes(), 14),
		"OperateType":        enumOf(OperateTypes(), 28),
		"BlockType":          enumOf(BlockTypes(), 6),
		"TextColor":          enumOf(TextColors(), 2),
		"ImageStyle":         enumOf(ImageStyles(), 2),
		"ButtonLayout":       enumOf(ButtonLayouts(), 3),
		"MessageActionType":  enumOf(MessageActionTypes(), 3),
		"SenderIdentity":     enumOf(SenderIdentities(), 3),
	} {
		if len(c.values) != c.count {
			t.Errorf("%s: %d values, want %d", name, len(c.values), c.count)
		}
		sorted := slices.Clone(c.values)
		slices.Sort(sorted)
		if len(slices.Compact(sorted)) != len(c.values) {
			t.Errorf("%s: a value is listed twice: %v", name, c.values)
		}
		for _, v := range c.values {
			if !c.known(v) {
				t.Errorf("%s %q is documented but not Known", name, v)
			}
		}
		for _, v := range []string{"", "UNKNOWN_VALUE", "pending", c.values[0] + " "} {
			if c.known(v) {
				t.Errorf("%s %q is Known", name, v)
			}
		}
	}
}

// TestEnumsFresh: the lists are fresh slices, so changing one changes
// nothing else.
func TestEnumsFresh(t *testing.T) {
	a := ActionTypes()
	a[0] = "CHANGED"
	if ActionTypes()[0] != ActionCreateComplaint || ActionType("CHANGED").Known() {
		t.Error("ActionTypes returned a shared slice")
	}
}

// TestMisspellings: WeChat's spellings are the wire values.
func TestMisspellings(t *testing.T) {
	for got, want := range map[string]string{
		string(ActionUserApplyPlatformSerivce): "USER_APPLY_PLATFORM_SERIVCE",
		string(ActionUserApplyPlatformService): "USER_APPLY_PLATFORM_SERVICE",
		string(OperateUserComfirmComplaint):    "USER_COMFIRM_COMPLAINT",
		string(OperateMerchantRefuseRerund):    "MERCHANT_REFUSE_RERUND",
	} {
		if got != want {
			t.Errorf("%s, want %s", got, want)
		}
	}
	for in, want := range map[ActionType]ActionType{
		ActionUserApplyPlatformSerivce: ActionUserApplyPlatformService,
		ActionUserApplyPlatformService: ActionUserApplyPlatformService,
		ActionCreateComplaint:          ActionCreateComplaint,
		"NEW_ACTION":                   "NEW_ACTION",
		"":                             "",
	} {
		if got := in.Canonical(); got != want {
			t.Errorf("%q.Canonical() = %q, want %q", in, got, want)
		}
	}
}
