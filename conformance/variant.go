package conformance

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/beevik/etree"

	"github.com/payfeedback/payfeedback"
)

// The suite's variants of a notification start from what the root
// package's encoder writes (WeChat's element order, values in CDATA,
// TimeStamp as text), read into an etree document, and edit that tree:
// elements reordered, removed, duplicated or renamed, values as text or
// CDATA, padded with white space, unknown elements added, a prolog before
// the root. The element order and the CDATA rules are therefore written
// once, in the encoder.

// edit changes a notification's document.
type edit func(d *draft)

// draft is a document being edited, and the raw XML to put in place of
// the placeholders some edits leave (entity references, which a tree
// cannot hold as such).
type draft struct {
	doc *etree.Document
	raw []string
}

// variant encodes n as WeChat does and applies edits to the document.
// Without edits it is the encoder's output, byte for byte.
func variant(n *payfeedback.Notification, edits ...edit) []byte {
	body := encode(n)
	if len(edits) == 0 {
		return body
	}
	d := &draft{doc: etree.NewDocument()}
	d.doc.ReadSettings.PreserveCData = true
	if err := d.doc.ReadFromBytes(body); err != nil {
		panic("conformance: reading the encoder's output: " + err.Error())
	}
	for _, e := range edits {
		e(d)
	}
	out, err := d.doc.WriteToBytes()
	if err != nil {
		panic("conformance: writing a variant: " + err.Error())
	}
	for i, raw := range d.raw {
		out = bytes.Replace(out, []byte(placeholder(i)), []byte(raw), 1)
	}
	return out
}

// placeholder marks where raw XML goes; no value of the suite holds it.
func placeholder(i int) string { return fmt.Sprintf("\u27e6raw%d\u27e7", i) }

// elements returns the root's child elements named name.
func (d *draft) elements(name string) []*etree.Element {
	return d.doc.Root().SelectElements(name)
}

// value is the text of el, its CDATA sections and text joined.
func value(el *etree.Element) string {
	var b strings.Builder
	for _, t := range el.Child {
		if c, ok := t.(*etree.CharData); ok {
			b.WriteString(c.Data)
		}
	}
	return b.String()
}

// setValue replaces the character data of el with v, as CDATA or text.
func setValue(el *etree.Element, v string, cdata bool) {
	for i := len(el.Child) - 1; i >= 0; i-- {
		if _, ok := el.Child[i].(*etree.CharData); ok {
			el.RemoveChildAt(i)
		}
	}
	if cdata {
		el.CreateCData(v)
	} else {
		el.CreateText(v)
	}
}

// leaves calls f for every element that holds a value (PicUrl included).
func (d *draft) leaves(f func(el *etree.Element)) {
	var walk func(el *etree.Element)
	walk = func(el *etree.Element) {
		kids := el.ChildElements()
		if len(kids) == 0 {
			f(el)
			return
		}
		for _, k := range kids {
			walk(k)
		}
	}
	for _, el := range d.doc.Root().ChildElements() {
		walk(el)
	}
}

// asText writes every value as text instead of CDATA.
func asText() edit {
	return func(d *draft) {
		d.leaves(func(el *etree.Element) { setValue(el, value(el), false) })
	}
}

// padded surrounds every value with white space and newlines, outside its
// CDATA section: a decoder must trim it.
func padded() edit {
	return func(d *draft) {
		d.leaves(func(el *etree.Element) {
			el.InsertChildAt(0, etree.NewText("\n  "))
			el.CreateText(" \n")
		})
	}
}

// reordered puts the named elements first, in that order; the others
// follow in their order.
func reordered(names ...string) edit {
	return func(d *draft) {
		root := d.doc.Root()
		var first []*etree.Element
		for _, name := range names {
			first = append(first, d.elements(name)...)
		}
		for _, el := range first {
			root.RemoveChild(el)
		}
		for i, el := range first {
			root.InsertChildAt(i, el)
		}
	}
}

// without removes the named elements, with the line break after each.
func without(names ...string) edit {
	return func(d *draft) {
		root := d.doc.Root()
		for _, name := range names {
			for _, el := range d.elements(name) {
				i := el.Index()
				root.RemoveChildAt(i)
				if i < len(root.Child) {
					if c, ok := root.Child[i].(*etree.CharData); ok && c.IsWhitespace() {
						root.RemoveChildAt(i)
					}
				}
			}
		}
	}
}

// withValue sets the value of the named element, as CDATA, adding the
// element at the end when it is missing.
func withValue(name, v string) edit {
	return func(d *draft) {
		els := d.elements(name)
		if len(els) == 0 {
			els = append(els, d.doc.Root().CreateElement(name))
		}
		for _, el := range els {
			setValue(el, v, true)
		}
	}
}

// withRaw sets the content of the named element to raw XML (an entity
// reference, say), written as is.
func withRaw(name, raw string) edit {
	return func(d *draft) {
		for _, el := range d.elements(name) {
			setValue(el, placeholder(len(d.raw)), false)
			d.raw = append(d.raw, raw)
		}
	}
}

// duplicated adds a second element name with value v right after the
// first.
func duplicated(name, v string) edit {
	return func(d *draft) {
		els := d.elements(name)
		if len(els) == 0 {
			return
		}
		dup := etree.NewElement(name)
		dup.CreateCData(v)
		d.doc.Root().InsertChildAt(els[0].Index()+1, dup)
	}
}

// withExtra appends elements the protocol does not define: one with a
// value, one with an attribute and nested children, an empty one.
func withExtra() edit {
	return func(d *draft) {
		root := d.doc.Root()
		root.CreateElement("Channel").CreateCData("mp")
		meta := root.CreateElement("Meta")
		meta.CreateAttr("version", "2")
		meta.CreateElement("Inner").SetText("1")
		meta.CreateElement("Inner")
		root.CreateElement("Empty")
	}
}

// rootNamed renames the root element.
func rootNamed(name string) edit {
	return func(d *draft) { d.doc.Root().Tag = name }
}

// withDoctype puts an XML declaration and a DOCTYPE before the root; decl
// is the DOCTYPE's content after "<!" (e.g. "DOCTYPE xml [...]").
func withDoctype(decl string) edit {
	return func(d *draft) {
		d.doc.InsertChildAt(0, etree.NewProcInst("xml", `version="1.0"`))
		d.doc.InsertChildAt(1, etree.NewText("\n"))
		d.doc.InsertChildAt(2, etree.NewDirective(decl))
		d.doc.InsertChildAt(3, etree.NewText("\n"))
	}
}
