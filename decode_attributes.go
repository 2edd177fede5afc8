package payfeedback

// maxUnknownAttributes bounds the attributes of an element the protocol
// does not define (such elements are ignored, attributes and all). WeChat
// writes no attributes at all; the bound keeps a forged body from making the
// decoder read thousands of them before its signature can be checked.
const maxUnknownAttributes = 16

// peekAttributes looks at data[i:] before the reference decoder reads it:
// when it is a start tag with attributes where they are refused, it returns
// the refusal, so that encoding/xml never reads (and allocates) a forged
// attribute list. Attributes are refused on the root and on WeChat's own
// elements (the protocol's fields, PicInfo and its item and PicUrl), and
// beyond maxUnknownAttributes on other elements. depth is the number of
// open elements, parents their names; rootDone says the root was closed.
func peekAttributes(data []byte, i, depth int, rootDone, inPics bool, parents []string) error {
	if i+1 >= len(data) || data[i] != '<' || !isPeekNameStart(data[i+1]) {
		return nil
	}
	name, attrs := scanStartTag(data[i+1:])
	if attrs == 0 {
		return nil
	}
	switch {
	case rootDone:
		return &DecodeError{Err: ErrMalformed, Detail: "content after the root element"}
	case depth == 0 && name != "xml":
		return &DecodeError{Err: ErrNotXMLRoot, Element: clip(name)}
	case isWeChatElement(name, depth, inPics, parents):
		return attributesRefused(name)
	case attrs > maxUnknownAttributes:
		return &DecodeError{Err: ErrMalformed, Element: clip(name), Detail: "more than 16 attributes"}
	}
	return nil
}

// attributesRefused is the refusal of attributes on one of WeChat's
// elements.
func attributesRefused(name string) error {
	return &DecodeError{Err: ErrMalformed, Element: name, Detail: "has attributes: WeChat writes none"}
}

// isWeChatElement reports whether the element name, opened with depth
// elements open, is the root or one of the protocol's: a field or PicInfo
// under the root, item under PicInfo, PicUrl under PicInfo/item.
func isWeChatElement(name string, depth int, inPics bool, parents []string) bool {
	switch depth {
	case 0:
		return name == "xml"
	case 1:
		_, known := lookupField(name)
		return known || name == "PicInfo"
	case 2:
		return inPics && name == "item"
	case 3:
		return inPics && parents[2] == "item" && name == "PicUrl"
	}
	return false
}

// isPeekNameStart reports whether b may start an element name (a letter,
// '_', ':' or the first byte of a multi-byte character).
func isPeekNameStart(b byte) bool {
	return isNameStart(b) || b == ':' || b >= 0x80
}

// scanStartTag reads the name of the start tag whose '<' precedes tag, and
// counts its attributes (the '=' outside quotes before the tag's '>'),
// stopping at maxUnknownAttributes+1. A name followed by anything but white
// space, '/' or '>' counts as having attributes (encoding/xml refuses it, or
// reads attributes).
func scanStartTag(tag []byte) (name string, attrs int) {
	j := 0
	for j < len(tag) && !isXMLSpace(tag[j]) && tag[j] != '/' && tag[j] != '>' && tag[j] != '<' && tag[j] != '=' {
		j++
	}
	name = string(tag[:j])
	k := j
	for k < len(tag) && isXMLSpace(tag[k]) {
		k++
	}
	if k == len(tag) || tag[k] == '>' || tag[k] == '/' {
		return name, 0
	}
	if k == j { // no space after the name: not well-formed
		return name, 1
	}
	var quote byte
	for _, b := range tag[k:] {
		switch {
		case quote != 0:
			if b == quote {
				quote = 0
			}
		case b == '"' || b == '\'':
			quote = b
		case b == '=':
			if attrs++; attrs > maxUnknownAttributes {
				return name, attrs
			}
		case b == '>':
			return name, max(attrs, 1)
		}
	}
	return name, max(attrs, 1)
}
