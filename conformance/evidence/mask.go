package evidence

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/payfeedback/payfeedback/internal/text"
)

// Secret is a value no part of a bundle may hold: a key or a secret the
// run was given. Its Name says what it is ("paySignKey", "appSecret",
// "APIv3 key", "merchant private key") and is recorded in run.json; its
// Value never is.
//
// A bundle must hold no secret of the run, whatever carried it there: a
// merchant that echoes its configuration in an answer, a target URL with
// a key in its query, a body of the fake's call log. So each part is
// masked by value, not by field name: every form in which the value can
// appear in a part is replaced by Masked: as it is, query- and
// path-escaped (URLs), XML-escaped (V1.5 bodies), each of those
// JSON-escaped, once (JSON bodies; report.json, which holds bodies as
// strings) and twice (a JSON body in report.json); for a secret of several lines (a PEM key, which the text
// rendering of an exchange shows line by line), each line of at least
// MinSecretLen bytes, the PEM armour aside; and a secret cut by an
// excerpt (the report keeps the first conformance.MaxExcerpt bytes of a
// body and adds "…"): the part of it before the ellipsis, when it is at
// least MinSecretLen bytes. After masking, Write checks that no form is
// left in any part, and refuses to write the bundle otherwise.
//
// Signatures are not secrets, and are kept: a V1.5 AppSignature, an
// APIv3 Wechatpay-Signature or the signature of an Authorization header
// signs one message, cannot sign another, and shows what the suite sent;
// its timestamp is long stale when an auditor reads it. The access tokens
// of the API cases are the suite's own fake's, and the report shortens
// them already.
type Secret struct {
	Name  string
	Value string
}

// Masked is what a bundle holds in place of a secret, as the fake's call
// log masks them.
const Masked = "***"

// MinSecretLen is the shortest secret a bundle can mask: a shorter one
// would also match text that is not that secret, and masking it would
// corrupt the parts.
const MinSecretLen = 8

// masker masks the secrets of a run.
type masker struct {
	secrets []maskedSecret
}

// maskedSecret is a secret's name and the forms it is masked in, the
// longest first.
type maskedSecret struct {
	name  string
	forms [][]byte
	// whole are the forms of the whole value, whose prefixes are masked
	// before an ellipsis.
	whole [][]byte
}

// newMasker prepares the forms of each secret. It refuses a secret
// shorter than MinSecretLen or without a name.
func newMasker(secrets []Secret) (*masker, error) {
	m := &masker{}
	for _, s := range secrets {
		switch {
		case s.Name == "":
			return nil, fmt.Errorf("evidence: a secret without a name: say what it is (\"paySignKey\")")
		case len(s.Value) < MinSecretLen:
			return nil, fmt.Errorf("evidence: the %s is %d bytes, too short to be masked reliably in the bundle (at least %d): is it the real one?", s.Name, len(s.Value), MinSecretLen)
		}
		whole := escapedForms(s.Value)
		forms := slices.Clone(whole)
		if lines := strings.Split(strings.ReplaceAll(s.Value, "\r\n", "\n"), "\n"); len(lines) > 1 {
			for _, line := range lines {
				if line = strings.TrimSpace(line); len(line) >= MinSecretLen && !strings.HasPrefix(line, "-----") {
					forms = append(forms, escapedForms(line)...)
				}
			}
		}
		m.secrets = append(m.secrets, maskedSecret{name: s.Name, forms: longestFirst(forms), whole: longestFirst(whole)})
	}
	return m, nil
}

// escapedForms returns v as it may appear in a part: raw, query- and
// path-escaped, XML-escaped, and each of those JSON-escaped (with and
// without HTML escaping) once and twice (a JSON body inside report.json).
func escapedForms(v string) [][]byte {
	var xmlEsc bytes.Buffer
	_ = xml.EscapeText(&xmlEsc, []byte(v)) // writes to a buffer: no error
	forms := [][]byte{[]byte(v), []byte(url.QueryEscape(v)), []byte(url.PathEscape(v)), xmlEsc.Bytes()}
	for range 2 {
		for _, f := range forms {
			forms = append(forms, jsonEscape(string(f), false), jsonEscape(string(f), true))
		}
		forms = longestFirst(forms)
	}
	return forms
}

// jsonEscape returns s as it appears inside a JSON string.
func jsonEscape(s string, html bool) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(html)
	_ = enc.Encode(s) // a string always encodes
	return bytes.TrimSuffix(bytes.TrimSuffix(b.Bytes(), []byte("\n")), []byte(`"`))[1:]
}

// longestFirst sorts the forms by length, the longest first, without
// duplicates, so that a longer form is replaced before a shorter one
// inside it.
func longestFirst(forms [][]byte) [][]byte {
	slices.SortFunc(forms, func(a, b []byte) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return bytes.Compare(a, b)
	})
	return slices.CompactFunc(forms, bytes.Equal)
}

// mask returns data with every secret masked, and adds to found the
// number of places each secret was masked at (by index).
func (m *masker) mask(data []byte, found []int) []byte {
	for i, s := range m.secrets {
		for _, f := range s.forms {
			if n := bytes.Count(data, f); n > 0 {
				found[i] += n
				data = bytes.ReplaceAll(data, f, []byte(Masked))
			}
		}
		var n int
		data, n = maskCut(data, s.whole)
		found[i] += n
	}
	return data
}

// maskCut masks the prefixes of at least MinSecretLen bytes of the forms
// that end where an excerpt was cut (before text.Ellipsis).
func maskCut(data []byte, whole [][]byte) ([]byte, int) {
	ell := []byte(text.Ellipsis)
	var out []byte // nil until something is masked
	last, n := 0, 0
	for i := 0; ; {
		j := bytes.Index(data[i:], ell)
		if j < 0 {
			break
		}
		at := i + j
		if l := cutPrefix(data[last:at], whole); l > 0 {
			out = append(out, data[last:at-l]...)
			out = append(out, Masked...)
			last = at
			n++
		}
		i = at + len(ell)
	}
	if out == nil {
		return data, 0
	}
	return append(out, data[last:]...), n
}

// cutPrefix returns the length of the longest prefix of one of the forms,
// at least MinSecretLen bytes and shorter than the form, that before
// ends with; 0 when none does.
func cutPrefix(before []byte, whole [][]byte) int {
	best := 0
	for _, f := range whole {
		w := before[len(before)-min(len(f)-1, len(before)):]
		for k := 0; len(w)-k >= MinSecretLen && len(w)-k > best; k++ {
			j := bytes.IndexByte(w[k:], f[0])
			if j < 0 {
				break
			}
			k += j
			if l := len(w) - k; l >= MinSecretLen && l > best && bytes.Equal(w[k:], f[:l]) {
				best = l
				break
			}
		}
	}
	return best
}

// leak returns the name of a secret data still holds, if any.
func (m *masker) leak(data []byte) (string, bool) {
	for _, s := range m.secrets {
		for _, f := range s.forms {
			if bytes.Contains(data, f) {
				return s.name, true
			}
		}
		if _, n := maskCut(data, s.whole); n > 0 {
			return s.name, true
		}
	}
	return "", false
}
