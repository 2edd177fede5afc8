package payfeedback

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
)

// decodeReference is the reference decoder: encoding/xml's strict tokenizer
// and the protocol's rules, for every body the fast scanner does not take.
// It is the one that decides every refusal.
func decodeReference(data []byte, raw *rawNotification) error {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	// No CharsetReader: a declaration naming another encoding is refused.
	var (
		depth    int
		elems    int // elements started, the root included
		rootSeen bool
		rootDone bool
		// The element at depth 1 being read, and its character data.
		cur      field
		curKnown bool
		curText  strings.Builder
		inPics   bool // inside <PicInfo>
		picStart int
		inURL    bool // inside PicInfo/item/PicUrl
		urlText  strings.Builder
		parents  [MaxDepth + 1]string
		// The next token is the end element encoding/xml makes up for a
		// self-closing tag: no input to peek at.
		closing bool
	)
	for {
		if !closing {
			if err := peekAttributes(data, int(d.InputOffset()), depth, rootDone, inPics, parents[:]); err != nil {
				return err
			}
		}
		closing = false
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return malformed(err)
		}
		switch t := tok.(type) {
		case xml.Directive:
			return &DecodeError{Err: ErrDOCTYPE}
		case xml.StartElement:
			if rootDone {
				return &DecodeError{Err: ErrMalformed, Detail: "content after the root element"}
			}
			if depth == MaxDepth {
				return &DecodeError{Err: ErrMalformed, Detail: "elements nested deeper than 32"}
			}
			if elems++; elems > MaxElements {
				return &DecodeError{Err: ErrMalformed, Detail: "more than 256 elements"}
			}
			name := t.Name.Local
			if t.Name.Space != "" {
				name = t.Name.Space + ":" + name
			}
			switch depth {
			case 0:
				if name != "xml" {
					return &DecodeError{Err: ErrNotXMLRoot, Element: clip(name)}
				}
				rootSeen = true
			case 1:
				if name == "PicInfo" {
					inPics, picStart = true, len(raw.pics)
					break
				}
				cur, curKnown = lookupField(name)
				curText.Reset()
			default:
				if depth == 2 && curKnown {
					return &DecodeError{Err: ErrMalformed, Element: cur.String(), Detail: "holds an element, want text"}
				}
				if inPics && depth == 3 && parents[2] == "item" && name == "PicUrl" && len(raw.pics)-picStart < maxScanPictures {
					inURL = true
					urlText.Reset()
				}
			}
			if len(t.Attr) > 0 && isWeChatElement(name, depth, inPics, parents[:]) {
				return attributesRefused(name) // what peekAttributes did not see
			}
			parents[depth] = name
			depth++
			if off := d.InputOffset(); off >= 2 && data[off-2] == '/' {
				closing = true
			}
		case xml.EndElement:
			depth--
			switch {
			case depth == 0:
				rootDone = true
			case depth == 1 && inPics:
				inPics = false
				if err := raw.setPics(picStart); err != nil {
					return err
				}
			case depth == 1 && curKnown:
				curKnown = false
				if err := raw.set(cur, trimXMLSpace(curText.String())); err != nil {
					return err
				}
			case depth == 3 && inURL:
				inURL = false
				if v := trimXMLSpace(urlText.String()); v != "" && len(raw.pics)-picStart < maxScanPictures {
					raw.pics = append(raw.pics, v)
				}
			}
		case xml.CharData:
			switch {
			case depth == 0:
				if len(bytes.Trim(t, " \t\r\n")) != 0 {
					return &DecodeError{Err: ErrMalformed, Detail: "text outside the root element"}
				}
			case depth == 2 && curKnown:
				curText.Write(t)
			case inURL && depth == 4:
				urlText.Write(t)
			}
		}
	}
	if !rootSeen {
		return &DecodeError{Err: ErrMalformed, Detail: "no root element"}
	}
	return nil
}

// malformed wraps an error of encoding/xml.
// The detail names the line, and says what to do where encoding/xml's
// wording would not.
func malformed(err error) error {
	var se *xml.SyntaxError
	switch {
	case errors.As(err, &se):
		msg := se.Msg
		if strings.HasPrefix(msg, "unexpected EOF") {
			msg += " (the body is truncated)"
		}
		return &DecodeError{Err: ErrMalformed, Detail: "line " + strconv.Itoa(se.Line) + ": " + clip(msg)}
	case errors.Is(err, io.ErrUnexpectedEOF):
		return &DecodeError{Err: ErrMalformed, Detail: "unexpected EOF (the body is truncated)"}
	case strings.Contains(err.Error(), "CharsetReader"):
		return &DecodeError{Err: ErrMalformed, Detail: "the XML declaration names an encoding other than UTF-8; send UTF-8"}
	}
	return &DecodeError{Err: ErrMalformed, Detail: clip(err.Error())}
}

// clip shortens text quoted from a hostile body.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && s[cut]&0xC0 == 0x80 {
		cut--
	}
	return s[:cut] + "…"
}
