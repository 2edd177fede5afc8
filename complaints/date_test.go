package complaints

import (
	"testing"
	"time"
)

func TestParseDate(t *testing.T) {
	for s, want := range map[string]Date{
		"2025-01-31": {2025, time.January, 31},
		"2024-02-29": {2024, time.February, 29},
		"0001-01-01": {1, time.January, 1},
		"9999-12-31": {9999, time.December, 31},
	} {
		got, err := ParseDate(s)
		if err != nil || got != want || got.String() != s || !got.Valid() {
			t.Errorf("ParseDate(%q) = %v, %v; want %v (String %q, Valid %v)", s, got, err, want, got.String(), got.Valid())
		}
	}
	for _, s := range []string{"", "2025-1-31", "2025-01-31 ", "2025/01/31", "2025-02-29", "2025-04-31", "2025-13-01", "2025-00-10", "25-01-31", "20250131", "2025-01-31T00:00:00+08:00", "+2025-01-31"} {
		if d, err := ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) = %v, want an error", s, d)
		}
	}
}

func TestDateText(t *testing.T) {
	var d Date
	if err := d.UnmarshalText([]byte("2025-05-20")); err != nil || d != (Date{2025, 5, 20}) {
		t.Fatalf("UnmarshalText: %v %v", d, err)
	}
	if b, err := d.MarshalText(); err != nil || string(b) != "2025-05-20" {
		t.Errorf("MarshalText: %q %v", b, err)
	}
	if err := d.UnmarshalText(nil); err != nil || !d.IsZero() {
		t.Errorf("empty text: %v %v, want the zero Date", d, err)
	}
	if b, err := (Date{}).MarshalText(); err != nil || len(b) != 0 {
		t.Errorf("zero Date: %q %v", b, err)
	}
	if _, err := (Date{2025, 2, 30}).MarshalText(); err == nil {
		t.Error("MarshalText of February 30 did not fail")
	}
	if err := d.UnmarshalText([]byte("2025-02-30")); err == nil {
		t.Error("UnmarshalText of February 30 did not fail")
	}
}

// TestDateOf: the day is China's, whatever the time's location.
func TestDateOf(t *testing.T) {
	for _, c := range []struct {
		t    time.Time
		want string
	}{
		{time.Date(2025, 5, 19, 15, 59, 59, 0, time.UTC), "2025-05-19"},
		{time.Date(2025, 5, 19, 16, 0, 0, 0, time.UTC), "2025-05-20"},
		{time.Date(2025, 5, 20, 0, 0, 0, 0, time.FixedZone("CST", 8*3600)), "2025-05-20"},
		{time.Date(2025, 5, 19, 23, 0, 0, 0, time.FixedZone("PDT", -7*3600)), "2025-05-20"},
	} {
		if got := DateOf(c.t).String(); got != c.want {
			t.Errorf("DateOf(%v) = %s, want %s", c.t, got, c.want)
		}
	}
}

func TestDateArithmetic(t *testing.T) {
	d := Date{2024, 2, 28}
	if got := d.AddDays(1); got != (Date{2024, 2, 29}) {
		t.Errorf("AddDays(1) = %v", got)
	}
	if got := d.AddDays(366); got != (Date{2025, 2, 28}) {
		t.Errorf("AddDays(366) = %v", got)
	}
	if got := d.AddDays(-59); got != (Date{2023, 12, 31}) {
		t.Errorf("AddDays(-59) = %v", got)
	}
	if n := (Date{2025, 1, 1}).DaysTo(Date{2025, 3, 1}); n != 59 {
		t.Errorf("DaysTo = %d, want 59", n)
	}
	if c := d.Compare(d.AddDays(1)); c != -1 {
		t.Errorf("Compare = %d", c)
	}
	if (Date{2025, 4, 31}).Valid() || (Date{0, 1, 1}).Valid() || (Date{10000, 1, 1}).Valid() {
		t.Error("an impossible date is Valid")
	}
}

// TestSplitSpan: the spans cover every day once, in order, each at most
// MaxSpanDays long and accepted by ListRequest.Validate.
func TestSplitSpan(t *testing.T) {
	begin := Date{2024, 12, 15}
	for _, days := range []int{1, 2, 29, 30, 31, 59, 60, 61, 365, 366, 3000} {
		end := begin.AddDays(days - 1)
		spans := SplitSpan(begin, end)
		if want := (days + MaxSpanDays - 1) / MaxSpanDays; len(spans) != want {
			t.Errorf("%d days: %d spans, want %d", days, len(spans), want)
		}
		next := begin
		for i, s := range spans {
			if s.Begin != next {
				t.Fatalf("%d days: span %d begins %v, want %v", days, i, s.Begin, next)
			}
			if n := s.Days(); n < 1 || n > MaxSpanDays || (i < len(spans)-1 && n != MaxSpanDays) {
				t.Fatalf("%d days: span %d is %d days", days, i, n)
			}
			if err := (ListRequest{BeginDate: s.Begin, EndDate: s.End}).Validate(); err != nil {
				t.Fatalf("%d days: span %d: %v", days, i, err)
			}
			next = s.End.AddDays(1)
		}
		if next != end.AddDays(1) {
			t.Errorf("%d days: the spans end at %v, want %v", days, next.AddDays(-1), end)
		}
	}
	for _, c := range [][2]Date{{{2025, 5, 2}, {2025, 5, 1}}, {{}, {2025, 5, 1}}, {{2025, 2, 30}, {2025, 3, 1}}} {
		if s := SplitSpan(c[0], c[1]); s != nil {
			t.Errorf("SplitSpan(%v, %v) = %v, want nil", c[0], c[1], s)
		}
	}
}
