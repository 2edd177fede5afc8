package payworld

import (
	"encoding/json"
	"maps"
	"slices"

	"github.com/payfeedback/payfeedback/complaints"
)

// Deep copies of the complaints model, for snapshots and answers: nothing
// the world holds is ever handed out. (The complaints package has no Clone
// methods; these follow its types field by field, and TestCloneIsDeep
// fills every field to prove no pointer, slice or map is shared.)

// cloneSlice copies s, each element with f; nil stays nil.
func cloneSlice[T any](s []T, f func(T) T) []T {
	if s == nil {
		return nil
	}
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = f(v)
	}
	return out
}

// same is the copy of a value that holds no reference.
func same[T any](v T) T { return v }

// clonePtr copies *p; nil stays nil.
func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// clonePtrWith copies *p with f; nil stays nil.
func clonePtrWith[T any](p *T, f func(T) T) *T {
	if p == nil {
		return nil
	}
	v := f(*p)
	return &v
}

// cloneMap copies a map of values that hold no reference.
func cloneMap[K comparable, V any](m map[K]V) map[K]V {
	if m == nil {
		return nil
	}
	return maps.Clone(m)
}

func cloneRaw(r json.RawMessage) json.RawMessage { return slices.Clone(r) }

func cloneExtra(e complaints.Extra) complaints.Extra {
	if e == nil {
		return nil
	}
	out := make(complaints.Extra, len(e))
	for k, v := range e {
		out[k] = cloneRaw(v)
	}
	return out
}

func cloneComplaint(c complaints.Complaint) complaints.Complaint {
	c.ComplaintOrderInfo = cloneSlice(c.ComplaintOrderInfo, cloneOrder)
	c.ServiceOrderInfo = cloneSlice(c.ServiceOrderInfo, cloneServiceOrder)
	c.ComplaintMediaList = cloneSlice(c.ComplaintMediaList, cloneMedia)
	c.UserTagList = slices.Clone(c.UserTagList)
	c.AdditionalInfo = clonePtrWith(c.AdditionalInfo, cloneAdditionalInfo)
	c.Extra = cloneExtra(c.Extra)
	return c
}

func cloneOrder(o complaints.OrderInfo) complaints.OrderInfo {
	o.Extra = cloneExtra(o.Extra)
	return o
}

func cloneServiceOrder(s complaints.ServiceOrder) complaints.ServiceOrder {
	s.Extra = cloneExtra(s.Extra)
	return s
}

func cloneMedia(m complaints.Media) complaints.Media {
	m.MediaURL = slices.Clone(m.MediaURL)
	m.Extra = cloneExtra(m.Extra)
	return m
}

func cloneAdditionalInfo(a complaints.AdditionalInfo) complaints.AdditionalInfo {
	a.SharePowerInfo = clonePtrWith(a.SharePowerInfo, func(s complaints.SharePowerInfo) complaints.SharePowerInfo {
		s.ReturnAddressInfo = clonePtrWith(s.ReturnAddressInfo, func(r complaints.ReturnAddressInfo) complaints.ReturnAddressInfo {
			r.Extra = cloneExtra(r.Extra)
			return r
		})
		s.Extra = cloneExtra(s.Extra)
		return s
	})
	a.Extra = cloneExtra(a.Extra)
	return a
}

func cloneHistory(h complaints.NegotiationHistory) complaints.NegotiationHistory {
	h.ImageList = slices.Clone(h.ImageList)
	h.ComplaintMediaList = clonePtrWith(h.ComplaintMediaList, cloneMedia)
	h.NormalMessage = clonePtrWith(h.NormalMessage, cloneMessage)
	h.ClickMessage = clonePtrWith(h.ClickMessage, func(c complaints.ClickMessage) complaints.ClickMessage {
		c.MessageContent = cloneRaw(c.MessageContent)
		c.Extra = cloneExtra(c.Extra)
		return c
	})
	h.Extra = cloneExtra(h.Extra)
	return h
}

func cloneMessage(m complaints.NormalMessage) complaints.NormalMessage {
	m.Blocks = cloneSlice(m.Blocks, cloneBlock)
	m.Extra = cloneExtra(m.Extra)
	return m
}

func cloneBlock(b complaints.Block) complaints.Block {
	b.Text = clonePtrWith(b.Text, func(t complaints.TextBlock) complaints.TextBlock {
		t.Extra = cloneExtra(t.Extra)
		return t
	})
	b.Image = clonePtrWith(b.Image, func(i complaints.ImageBlock) complaints.ImageBlock {
		i.Extra = cloneExtra(i.Extra)
		return i
	})
	b.Link = clonePtrWith(b.Link, cloneClickable)
	b.Button = clonePtrWith(b.Button, cloneClickable)
	b.FAQList = clonePtrWith(b.FAQList, func(l complaints.FAQList) complaints.FAQList {
		l.FAQs = cloneSlice(l.FAQs, func(f complaints.FAQ) complaints.FAQ {
			f.Action = clonePtrWith(f.Action, cloneAction)
			f.Extra = cloneExtra(f.Extra)
			return f
		})
		l.Extra = cloneExtra(l.Extra)
		return l
	})
	b.ButtonGroup = clonePtrWith(b.ButtonGroup, func(g complaints.ButtonGroup) complaints.ButtonGroup {
		g.Buttons = cloneSlice(g.Buttons, cloneClickable)
		g.InvalidInfo = clonePtrWith(g.InvalidInfo, cloneInvalidInfo)
		g.Extra = cloneExtra(g.Extra)
		return g
	})
	b.Extra = cloneExtra(b.Extra)
	return b
}

func cloneClickable(c complaints.Clickable) complaints.Clickable {
	c.Action = clonePtrWith(c.Action, cloneAction)
	c.InvalidInfo = clonePtrWith(c.InvalidInfo, cloneInvalidInfo)
	c.Extra = cloneExtra(c.Extra)
	return c
}

func cloneAction(a complaints.MessageAction) complaints.MessageAction {
	a.MiniProgramJumpInfo = clonePtrWith(a.MiniProgramJumpInfo, func(m complaints.MiniProgramJumpInfo) complaints.MiniProgramJumpInfo {
		m.Extra = cloneExtra(m.Extra)
		return m
	})
	a.MessageInfo = clonePtrWith(a.MessageInfo, func(m complaints.MessageInfo) complaints.MessageInfo {
		m.Extra = cloneExtra(m.Extra)
		return m
	})
	a.Extra = cloneExtra(a.Extra)
	return a
}

func cloneInvalidInfo(i complaints.InvalidInfo) complaints.InvalidInfo {
	i.Extra = cloneExtra(i.Extra)
	return i
}
