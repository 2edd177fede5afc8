package text

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"hello", 5, "hello"},
		{"hello", 4, "hell…"},
		{"hello", 0, "…"},
		{"hello", -1, "…"},
		{"", 0, ""},
		// 投 is 3 bytes: a bound inside it cuts before it.
		{"投诉理由", 3, "投…"},
		{"投诉理由", 4, "投…"},
		{"投诉理由", 5, "投…"},
		{"投诉理由", 6, "投诉…"},
		{"投诉理由", 12, "投诉理由"},
		{"ab投", 3, "ab…"},
		{"ab投", 4, "ab…"},
		{"ab投c", 5, "ab投…"},
		// 4-byte runes.
		{"😀😀", 5, "😀…"},
		// Invalid UTF-8 bytes count as one byte each.
		{"a\xffb\xfe", 2, "a\xff…"},
	} {
		got := Clip(tc.s, tc.n)
		if got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
		if utf8.ValidString(tc.s) && !utf8.ValidString(got) {
			t.Errorf("Clip(%q, %d) = %q: invalid UTF-8", tc.s, tc.n, got)
		}
	}
}

func TestClipNeverCutsARune(t *testing.T) {
	s := strings.Repeat("商户已退款，请确认。", 20)
	for n := 0; n <= len(s); n++ {
		got := Clip(s, n)
		if !utf8.ValidString(got) {
			t.Fatalf("Clip(…, %d) = %q: invalid UTF-8", n, got)
		}
		if body := strings.TrimSuffix(got, Ellipsis); len(body) > n {
			t.Fatalf("Clip(…, %d) kept %d bytes", n, len(body))
		}
	}
}

func TestWidth(t *testing.T) {
	for _, tc := range []struct {
		s    string
		want int
	}{
		{"", 0},
		{"abc", 3},
		{"投诉", 4},
		{"a投b", 4},
		{"，", 2},       // fullwidth comma
		{"ｱ", 1},       // halfwidth katakana
		{"e\u0301", 1}, // e + combining acute
		{"\x1b[31m", 4},
		{"\u200b", 0}, // zero-width space (Cf)
	} {
		if got := Width(tc.s); got != tc.want {
			t.Errorf("Width(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}

func TestClipWidthAndPad(t *testing.T) {
	for _, tc := range []struct {
		s    string
		w    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "ab…"},
		{"投诉理由", 8, "投诉理由"},
		{"投诉理由", 7, "投诉理…"},
		{"投诉理由", 6, "投诉…"}, // 投诉 takes 4 columns, … one: 5 ≤ 6
		{"投诉理由", 1, "…"},
		{"投诉理由", 0, ""},
	} {
		if got := ClipWidth(tc.s, tc.w); got != tc.want {
			t.Errorf("ClipWidth(%q, %d) = %q, want %q", tc.s, tc.w, got, tc.want)
		}
		if Width(ClipWidth(tc.s, tc.w)) > tc.w {
			t.Errorf("ClipWidth(%q, %d) is wider than %d", tc.s, tc.w, tc.w)
		}
	}
	rows := [][2]string{{"送货慢", "x"}, {"late", "y"}, {"商品质量问题", "z"}}
	var lines []string
	for _, r := range rows {
		lines = append(lines, Pad(r[0], 14)+"|"+r[1])
	}
	for _, l := range lines {
		if i := strings.Index(l, "|"); Width(l[:i]) != 14 {
			t.Errorf("%q: the bar is at column %d, want 14", l, Width(l[:i]))
		}
	}
	if got := PadLeft("42", 5); got != "   42" {
		t.Errorf("PadLeft = %q", got)
	}
	if got := Pad("toolong", 3); got != "toolong" {
		t.Errorf("Pad of a longer string = %q", got)
	}
}

func TestTerminal(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"投诉 ok", "投诉 ok"},
		{"\x1b[2J\x1b[H", `\x1b[2J\x1b[H`},
		{"a\nb\tc\r", `a\nb\tc\r`},
		{"bell\a", `bell\a`},
		{"del\x7f", `del\x7f`},
		{"c1\u009b31m", `c1\u009b31m`},
		{"rtl\u202egnp.exe", `rtl\u202egnp.exe`},
		{"bad\xff", `bad\xff`},
		{`back\slash`, `back\slash`},
	} {
		if got := Terminal(tc.in); got != tc.want {
			t.Errorf("Terminal(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	if n := testing.AllocsPerRun(100, func() { _ = Terminal("商户回复：已处理") }); n != 0 {
		t.Errorf("Terminal of printable text allocates %v times", n)
	}
}

func TestXML(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ok <&> 投诉", "ok <&> 投诉"},
		{"tab\tlf\ncr\r", "tab\tlf\ncr\r"},
		{"esc\x1b", `esc\x1b`},
		{"nul\x00", `nul\x00`},
		{"\ufffe\uffff", `\ufffe\uffff`},
		{"bad\xc3", `bad\xc3`},
	} {
		if got := XML(tc.in); got != tc.want {
			t.Errorf("XML(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func FuzzEscapes(f *testing.F) {
	for _, s := range []string{"", "投诉", "\x1b[31m", "\xff\xfe", "a\u202eb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		term := Terminal(s)
		for _, r := range term {
			if terminalUnsafe(r) {
				t.Fatalf("Terminal(%q) = %q keeps %U", s, term, r)
			}
		}
		if !utf8.ValidString(term) {
			t.Fatalf("Terminal(%q) = %q: invalid UTF-8", s, term)
		}
		x := XML(s)
		for _, r := range x {
			if !xmlAllowed(r) {
				t.Fatalf("XML(%q) = %q keeps %U", s, x, r)
			}
		}
		if !utf8.ValidString(x) {
			t.Fatalf("XML(%q) = %q: invalid UTF-8", s, x)
		}
		for n := 0; n <= len(s); n++ {
			c := Clip(s, n)
			if utf8.ValidString(s) && !utf8.ValidString(c) {
				t.Fatalf("Clip(%q, %d) = %q: invalid UTF-8", s, n, c)
			}
		}
	})
}
