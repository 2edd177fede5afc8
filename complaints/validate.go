package complaints

import (
	"errors"
	"fmt"
	"net/url"
	"strings"
	"unicode/utf8"
)

// The documented limits the requests' Validate methods apply
// (docs/complaints-v3.md, "Endpoints"; lengths count characters, that is
// runes, and "Decisions" says where a limit was decided).
const (
	MaxComplaintIDLength     = 64   // complaint_id
	MaxMchIDLength           = 64   // complainted_mchid
	MaxMediaIDLength         = 512  // a media_id of an upload
	MaxResponseContentLength = 500  // response_content (see "Decisions": 200 on the older merchant page)
	MaxResponseImages        = 4    // response_images
	MaxJumpURLLength         = 512  // jump_url
	MaxJumpURLTextLength     = 10   // jump_url_text
	MaxRejectReasonLength    = 200  // reject_reason
	MaxRejectMedia           = 4    // reject_media_list
	MaxRemarkLength          = 200  // remark
	MaxCustomDataLength      = 4096 // message.custom_data
	MaxIdempotentIDLength    = 128  // idempotent_id
	MaxNotifyURLLength       = 255  // url of the callback
	MaxListLimit             = 50   // limit of the list endpoint (default 10)
	MaxHistoryLimit          = 300  // limit of the negotiation history (default 100)
)

// ErrInvalidRequest is wrapped by every *ValidationError: the request was
// refused before anything was sent. Fix the field the error names.
var ErrInvalidRequest = errors.New("complaints: invalid request")

// ValidationError says which field of a request breaks which documented
// rule (docs/complaints-v3.md, "Endpoints" and "Decisions"). Nothing was
// sent. errors.Is(err, ErrInvalidRequest) is true for it; get it with
// errors.As.
type ValidationError struct {
	// Request is the request checked: "ResponseRequest", "ListRequest", …
	Request string
	// Field is the offending field, named as on the wire, with its path
	// inside the request ("response_content",
	// "message.blocks[1].button.action.jump_url").
	Field string
	// Reason is the rule broken, for people ("required", "longer than 200
	// characters (got 231)", …).
	Reason string
}

// Error implements error.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("complaints: invalid %s: %s: %s", e.Request, e.Field, e.Reason)
}

// Unwrap returns ErrInvalidRequest.
func (e *ValidationError) Unwrap() error { return ErrInvalidRequest }

// A fieldError is a ValidationError before it knows its request: the
// checks below return one and the request's Validate names itself.
type fieldError struct {
	Field  string
	Reason string
}

// in names the request of a field error; nil stays nil.
func (f *fieldError) in(request string) error {
	if f == nil {
		return nil
	}
	return &ValidationError{Request: request, Field: f.Field, Reason: f.Reason}
}

// under prefixes the field of f with the path of the object holding it.
func (f *fieldError) under(path string) *fieldError {
	if f != nil {
		f.Field = path + "." + f.Field
	}
	return f
}

// first returns the first non-nil field error.
func first(errs ...*fieldError) *fieldError {
	for _, e := range errs {
		if e != nil {
			return e
		}
	}
	return nil
}

// checkText checks a text field: valid UTF-8 of characters APIv3 accepts
// (1 to 3 bytes each: none beyond U+FFFF, such as emoji), at most max
// characters (runes; max ≤ 0: no bound), and, when required, not blank.
// An empty optional field is fine.
func checkText(field, s string, required bool, max int) *fieldError {
	if s == "" || strings.TrimSpace(s) == "" {
		if required {
			return &fieldError{field, "required (empty or blank)"}
		}
		if s == "" {
			return nil
		}
	}
	if !utf8.ValidString(s) {
		return &fieldError{field, "not valid UTF-8"}
	}
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			return &fieldError{field, fmt.Sprintf("character %d (%U) takes 4 bytes in UTF-8: APIv3 accepts only characters of 1 to 3 bytes (no emoji)", n, r)}
		}
	}
	if max > 0 && n > max {
		return &fieldError{field, fmt.Sprintf("longer than %d characters (got %d)", max, n)}
	}
	return nil
}

// checkID checks an id WeChat gave (complaint_id, media_id, mchid):
// required, at most max characters, printable, and not a path element of
// its own ("." or "..", which would change the URL it goes in).
func checkID(field, id string, max int) *fieldError {
	if err := checkText(field, id, true, max); err != nil {
		return err
	}
	if id == "." || id == ".." {
		return &fieldError{field, fmt.Sprintf("%q is not an id", id)}
	}
	for _, r := range id {
		if r < 0x20 || r == 0x7f {
			return &fieldError{field, fmt.Sprintf("has a control character %U", r)}
		}
	}
	return nil
}

// checkHTTPS checks a URL WeChat opens for the user (jump_url): an absolute
// https URL with a host, at most max characters (max ≤ 0: no bound).
func checkHTTPS(field, raw string, max int) *fieldError {
	if err := checkText(field, raw, true, max); err != nil {
		return err
	}
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return &fieldError{field, "not a URL: " + strings.TrimPrefix(err.Error(), "parse ")}
	case u.Scheme != "https":
		return &fieldError{field, fmt.Sprintf("scheme %q: WeChat opens https URLs only", u.Scheme)}
	case u.Host == "":
		return &fieldError{field, "no host: want an absolute https URL"}
	}
	return nil
}

// checkMediaIDs checks a list of uploaded images' media_ids: at most max,
// each an id.
func checkMediaIDs(field string, ids []string, max int) *fieldError {
	if len(ids) > max {
		return &fieldError{field, fmt.Sprintf("at most %d images, got %d", max, len(ids))}
	}
	for i, id := range ids {
		if err := checkID(fmt.Sprintf("%s[%d]", field, i), id, MaxMediaIDLength); err != nil {
			return err
		}
	}
	return nil
}

// checkKnown checks an enumerated value a request sends: empty when
// optional, else a documented value (a request sends only values whose
// rules this package knows).
func checkKnown[E ~string](field string, v E, required bool, known func() []E) *fieldError {
	if v == "" {
		if required {
			return &fieldError{field, "required"}
		}
		return nil
	}
	values := known()
	for _, k := range values {
		if v == k {
			return nil
		}
	}
	names := make([]string, len(values))
	for i, k := range values {
		names[i] = string(k)
	}
	return &fieldError{field, fmt.Sprintf("unknown value %q (want %s)", string(v), strings.Join(names, ", "))}
}

// ValidateComplaintID checks a complaint id before it goes into a path: 1
// to 64 characters, none a control character, and not "." or "..". The
// error is a *ValidationError for the field complaint_id.
func ValidateComplaintID(id string) error {
	return checkID("complaint_id", id, MaxComplaintIDLength).in("complaint id")
}
