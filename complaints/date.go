package complaints

import (
	"errors"
	"fmt"
	"time"
)

// MaxSpanDays is the most days one list query covers, both ends counted
// (docs/complaints-v3.md, "Decisions": WeChat says "不超过30天").
const MaxSpanDays = 30

// ChinaOffset is the UTC offset of China Standard Time, the time zone of
// the list endpoint's dates and of WeChat's timestamps (+08:00).
const ChinaOffset = 8 * time.Hour

// dateLayout is the list endpoint's date format, yyyy-MM-dd.
const dateLayout = "2006-01-02"

// Date is a calendar date as the list endpoint takes it (begin_date,
// end_date): yyyy-MM-dd, a day in China Standard Time. The zero Date is "no
// date".
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the day t falls on in China Standard Time (UTC+8),
// whatever t's own location.
func DateOf(t time.Time) Date {
	y, m, d := t.In(time.FixedZone("CST", int(ChinaOffset/time.Second))).Date()
	return Date{y, m, d}
}

// ParseDate parses yyyy-MM-dd (exactly 10 characters, a real calendar day
// of years 1 to 9999).
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(dateLayout, s)
	if err != nil || len(s) != len(dateLayout) || t.Year() < 1 {
		return Date{}, fmt.Errorf("complaints: date %q is not a calendar day written yyyy-MM-dd (like 2025-01-31)", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

// String returns d as yyyy-MM-dd; the zero Date is "".
func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return d.midnight().Format(dateLayout)
}

// IsZero reports whether d is the zero Date.
func (d Date) IsZero() bool { return d == Date{} }

// Valid reports whether d is a real calendar day of years 1 to 9999 (not
// the 31st of April, not month 13).
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 {
		return false
	}
	n := d.midnight()
	return n.Year() == d.Year && n.Month() == d.Month && n.Day() == d.Day
}

// AddDays returns the date n days after d (before it for n < 0).
func (d Date) AddDays(n int) Date {
	y, m, day := d.midnight().AddDate(0, 0, n).Date()
	return Date{y, m, day}
}

// Compare returns -1, 0 or +1 as d is before, equal to or after e.
func (d Date) Compare(e Date) int { return d.midnight().Compare(e.midnight()) }

// DaysTo returns the number of days from d to e (negative when e is before
// d): 0 for the same day.
func (d Date) DaysTo(e Date) int {
	return int(e.midnight().Sub(d.midnight()) / (24 * time.Hour))
}

// midnight is d's first instant, in UTC (every day lasts 24 hours there).
func (d Date) midnight() time.Time {
	return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC)
}

// MarshalText writes d as yyyy-MM-dd; it refuses an invalid Date.
func (d Date) MarshalText() ([]byte, error) {
	if !d.IsZero() && !d.Valid() {
		return nil, errors.New("complaints: Date.MarshalText: not a calendar day")
	}
	return []byte(d.String()), nil
}

// UnmarshalText parses yyyy-MM-dd as ParseDate does; empty text is the
// zero Date.
func (d *Date) UnmarshalText(text []byte) error {
	if len(text) == 0 {
		*d = Date{}
		return nil
	}
	p, err := ParseDate(string(text))
	if err != nil {
		return err
	}
	*d = p
	return nil
}

// Span is a range of days, both ends included.
type Span struct {
	Begin, End Date
}

// Days returns the number of days of s, both ends counted.
func (s Span) Days() int { return s.Begin.DaysTo(s.End) + 1 }

// SplitSpan cuts the days from begin to end (both included) into
// consecutive spans of at most MaxSpanDays days, oldest first: the windows
// of list queries covering them all. It returns nil when end is before
// begin or either date is not a calendar day.
func SplitSpan(begin, end Date) []Span {
	if !begin.Valid() || !end.Valid() || end.Compare(begin) < 0 {
		return nil
	}
	spans := make([]Span, 0, begin.DaysTo(end)/MaxSpanDays+1)
	for from := begin; from.Compare(end) <= 0; from = from.AddDays(MaxSpanDays) {
		to := from.AddDays(MaxSpanDays - 1)
		if to.Compare(end) > 0 {
			to = end
		}
		spans = append(spans, Span{from, to})
	}
	return spans
}
