package scenario

import (
	"encoding/json"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/payfeedback/payfeedback/complaints"
)

// The complaints package's types decode themselves from JSON, keeping the
// members they do not declare in their Extra: decode gives them their
// JSON, made from the plain values again (json.Marshal) and read back
// (UnmarshalJSON). For a saved world of 10,000 complaints that round trip
// was a third of the decoding. plainDecode fills such a value straight
// from the plain values when the result is sure to be the same: every key
// names a declared field exactly (so Extra stays empty), and every value
// is of the kind encoding/json would put in its field without a word. In
// any other case (a key it does not know, another case, a type
// encoding/json would refuse, a field of a kind it does not handle)
// decode takes the round trip as before, which keeps the members and
// says what is wrong in encoding/json's words.

var extraType = reflect.TypeFor[complaints.Extra]()

// plainStruct is how plainDecode fills a struct of the complaints package:
// its fields by JSON name.
type plainStruct struct {
	fields map[string]int
}

// plainOf returns how to fill t straight from plain values, or nil when
// plainDecode cannot: t is not a struct of the complaints package with an
// Extra, or its fields follow rules of encoding/json that plainDecode
// does not (embedded structs, ",string", names given twice). Whether a
// field's type is one plainDecode fills is seen when a value is given
// for it.
func (d *decoder) plainOf(t reflect.Type) *plainStruct {
	if p, ok := d.plain[t]; ok {
		return p
	}
	if d.plain == nil {
		d.plain = map[reflect.Type]*plainStruct{}
	}
	p := makePlain(t)
	d.plain[t] = p
	return p
}

func makePlain(t reflect.Type) *plainStruct {
	if t.Kind() != reflect.Struct || t.PkgPath() != extraType.PkgPath() || !reflect.PointerTo(t).Implements(jsonType) {
		return nil
	}
	p := &plainStruct{fields: make(map[string]int, t.NumField())}
	extra := false
	for i := range t.NumField() {
		sf := t.Field(i)
		name, opts, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch {
		case sf.Anonymous || slices.Contains(strings.Split(opts, ","), "string"):
			return nil
		case name == "-" && sf.Name == "Extra" && sf.Type == extraType:
			extra = true
			continue
		case !sf.IsExported():
			continue
		case name == "-":
			return nil
		case name == "":
			name = sf.Name
		}
		if _, twice := p.fields[name]; twice {
			return nil
		}
		p.fields[name] = i
	}
	if !extra {
		return nil
	}
	return p
}

// plainDecode fills v, a zero value of a type plainOf takes, from x, and
// reports whether it could; when it could not, v is partly filled.
func (d *decoder) plainDecode(v reflect.Value, x any) bool {
	if x == nil { // null: encoding/json leaves the field as it is
		return true
	}
	t := v.Type()
	switch t {
	case timeType:
		s, ok := x.(string)
		if !ok {
			return false
		}
		var tm time.Time
		// time.Time's UnmarshalJSON reads the string as UnmarshalText does.
		if err := tm.UnmarshalText([]byte(s)); err != nil {
			return false
		}
		v.Set(reflect.ValueOf(tm))
		return true
	}
	if pt := reflect.PointerTo(t); pt.Implements(textType) || pt.Implements(jsonType) && t.Kind() != reflect.Struct {
		return false // encoding/json gives it its text or its JSON
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := x.(map[string]any)
		p := d.plainOf(t)
		if !ok || p == nil {
			return false
		}
		for k, e := range m {
			i, ok := p.fields[k]
			if !ok || !d.plainDecode(v.Field(i), e) {
				return false
			}
		}
		return true
	case reflect.String:
		s, ok := x.(string)
		if !ok || !utf8.ValidString(s) { // json.Marshal would replace the invalid bytes
			return false
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return false
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(json.Number)
		if !ok || !jsonInteger(string(n)) {
			return false
		}
		i, err := strconv.ParseInt(string(n), 10, 64)
		if err != nil || v.OverflowInt(i) {
			return false
		}
		v.SetInt(i)
	case reflect.Slice:
		s, ok := x.([]any)
		if !ok || t.Elem().Kind() == reflect.Uint8 { // bytes are Base64 text
			return false
		}
		out := reflect.MakeSlice(t, len(s), len(s))
		for i, e := range s {
			if !d.plainDecode(out.Index(i), e) {
				return false
			}
		}
		v.Set(out)
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if !d.plainDecode(p.Elem(), x) {
			return false
		}
		v.Set(p)
	default:
		return false
	}
	return true
}

// jsonInteger reports whether s is a JSON number without fraction or
// exponent: what encoding/json puts in an integer field.
func jsonInteger(s string) bool {
	s = strings.TrimPrefix(s, "-")
	if s == "" || s[0] == '0' && len(s) > 1 {
		return false
	}
	for i := range len(s) {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
