package scenario

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
)

// decoder fills Go values from a document's plain values (what read
// returns, checked against the schema), as encoding/json would from JSON
// with the scenario's own rules: times are RFC 3339 or offsets from
// start, durations are Go durations, a message's raw body is given as
// text or as JSON, bytes are Base64 (as encoding/json writes them), a
// mapping of raw JSON values takes any JSON values, and a struct that
// decodes itself from JSON (the complaints package's, which keep the
// members they do not declare) is given its JSON. Fields are named by
// their json tags, embedded structs inline.
type decoder struct {
	start  time.Time
	fields map[reflect.Type]map[string][]int
	plain  map[reflect.Type]*plainStruct // decodeplain.go
}

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
	rawType      = reflect.TypeFor[json.RawMessage]()
	textType     = reflect.TypeFor[encoding.TextUnmarshaler]()
	jsonType     = reflect.TypeFor[json.Unmarshaler]()
)

// decodeError is what could not be decoded, and where.
type decodeError struct {
	path []string
	msg  string
}

func (e *decodeError) Error() string { return pathOf(e.path) + ": " + e.msg }

func (d *decoder) fail(path []string, format string, args ...any) error {
	return &decodeError{path: append([]string(nil), path...), msg: fmt.Sprintf(format, args...)}
}

// decode fills v from x; path is where x is.
func (d *decoder) decode(v reflect.Value, x any, path []string) error {
	if x == nil {
		return nil
	}
	t := v.Type()
	switch t {
	case timeType:
		s, ok := x.(string)
		if !ok {
			return d.fail(path, "%s", friendly["time"])
		}
		tm, err := ParseTime(s, d.start)
		if err != nil {
			return d.fail(path, "%v", err)
		}
		v.Set(reflect.ValueOf(tm))
		return nil
	case durationType:
		s, ok := x.(string)
		dur, err := time.ParseDuration(s)
		if !ok || err != nil || dur < 0 {
			return d.fail(path, "%s", friendly["duration"])
		}
		v.SetInt(int64(dur))
		return nil
	case rawType:
		if s, ok := x.(string); ok {
			v.SetBytes([]byte(s))
			return nil
		}
		b, err := json.Marshal(x)
		if err != nil {
			return d.fail(path, "%v", err)
		}
		v.SetBytes(b)
		return nil
	}
	if s, ok := x.(string); ok && reflect.PointerTo(t).Implements(textType) {
		if err := v.Addr().Interface().(encoding.TextUnmarshaler).UnmarshalText([]byte(s)); err != nil {
			return d.fail(path, "%v", err)
		}
		return nil
	}
	if t.Kind() == reflect.Struct && reflect.PointerTo(t).Implements(jsonType) {
		if d.plainOf(t) != nil {
			if d.plainDecode(v, x) {
				return nil
			}
			v.SetZero() // as it was: the round trip decides
		}
		b, err := json.Marshal(x)
		if err == nil {
			err = v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b)
		}
		if err != nil {
			return d.fail(path, "%v", err)
		}
		return nil
	}
	if t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8 {
		s, ok := x.(string)
		b, err := base64.StdEncoding.DecodeString(s)
		if !ok || err != nil {
			return d.fail(path, "want Base64 text (standard alphabet, padded)")
		}
		v.SetBytes(b)
		return nil
	}
	switch t.Kind() {
	case reflect.String:
		s, ok := x.(string)
		if !ok {
			return d.fail(path, "want a text")
		}
		v.SetString(s)
	case reflect.Bool:
		b, ok := x.(bool)
		if !ok {
			return d.fail(path, "want true or false")
		}
		v.SetBool(b)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := x.(json.Number)
		i, err := strconv.ParseInt(string(n), 10, t.Bits())
		if !ok || err != nil {
			return d.fail(path, "want an integer from %d to %d", int64(-1)<<(t.Bits()-1), uint64(1)<<(t.Bits()-1)-1)
		}
		v.SetInt(i)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, ok := x.(json.Number)
		u, err := strconv.ParseUint(string(n), 10, t.Bits())
		if !ok || err != nil {
			return d.fail(path, "want an integer from 0 to %d", uint64(1)<<(t.Bits()-1)*2-1)
		}
		v.SetUint(u)
	case reflect.Float32, reflect.Float64:
		n, ok := x.(json.Number)
		f, err := strconv.ParseFloat(string(n), t.Bits())
		if !ok || err != nil {
			return d.fail(path, "want a number")
		}
		v.SetFloat(f)
	case reflect.Slice:
		s, ok := x.([]any)
		if !ok {
			return d.fail(path, "want a list")
		}
		out := reflect.MakeSlice(t, len(s), len(s))
		for i, e := range s {
			if err := d.decode(out.Index(i), e, append(path, strconv.Itoa(i))); err != nil {
				return err
			}
		}
		v.Set(out)
	case reflect.Map:
		m, ok := x.(map[string]any)
		if !ok || t.Key().Kind() != reflect.String {
			return d.fail(path, "want a mapping")
		}
		out := reflect.MakeMapWithSize(t, len(m))
		for k, e := range m {
			ev := reflect.New(t.Elem()).Elem()
			if t.Elem() == rawType { // any JSON value, a text as a JSON string
				b, err := json.Marshal(e)
				if err != nil {
					return d.fail(append(path, k), "%v", err)
				}
				ev.SetBytes(b)
			} else if err := d.decode(ev, e, append(path, k)); err != nil {
				return err
			}
			out.SetMapIndex(reflect.ValueOf(k).Convert(t.Key()), ev)
		}
		v.Set(out)
	case reflect.Pointer:
		p := reflect.New(t.Elem())
		if err := d.decode(p.Elem(), x, path); err != nil {
			return err
		}
		v.Set(p)
	case reflect.Struct:
		m, ok := x.(map[string]any)
		if !ok {
			return d.fail(path, "want a mapping")
		}
		fields := d.fieldsOf(t)
		for k, e := range m {
			index, ok := fields[k]
			if !ok {
				return d.fail(path, "unknown key %q", k)
			}
			if err := d.decode(v.FieldByIndex(index), e, append(path, k)); err != nil {
				return err
			}
		}
	default:
		return d.fail(path, "cannot hold a %s", t)
	}
	return nil
}

// fieldsOf maps a struct's JSON keys to its fields.
func (d *decoder) fieldsOf(t reflect.Type) map[string][]int {
	if f, ok := d.fields[t]; ok {
		return f
	}
	f := map[string][]int{}
	for _, sf := range reflect.VisibleFields(t) {
		name, _, _ := strings.Cut(sf.Tag.Get("json"), ",")
		switch {
		case !sf.IsExported() || name == "-":
		case sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct:
			// Its fields are visible fields themselves.
		case name == "":
			f[sf.Name] = sf.Index
		default:
			f[name] = sf.Index
		}
	}
	if d.fields == nil {
		d.fields = map[reflect.Type]map[string][]int{}
	}
	d.fields[t] = f
	return f
}
