package payworld

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/complaints"
)

// fill sets every field reachable from v to a value that is not zero:
// pointers point somewhere, slices and maps hold one element, strings and
// numbers are set. A field the complaints package adds later is filled too,
// so TestCloneIsDeep checks it without being told.
func fill(v reflect.Value, depth int) {
	if depth > 40 {
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.Type() == reflect.TypeFor[*time.Location]() {
			return
		}
		v.Set(reflect.New(v.Type().Elem()))
		fill(v.Elem(), depth+1)
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(t0))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i), depth+1)
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0), depth+1)
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMap(v.Type())
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		fill(k, depth+1)
		fill(e, depth+1)
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.String:
		v.SetString("x")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(1)
	case reflect.Uint8:
		v.SetUint('1')
	}
}

// shared returns the path of a pointer, slice or map reachable from a and
// from b at the same place that shares memory ("" when none does).
func shared(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() && a.Type() != reflect.TypeFor[*time.Location]() {
			return path
		}
		return shared(a.Elem(), b.Elem(), path)
	case reflect.Struct:
		for i := range a.NumField() {
			if a.Type().Field(i).IsExported() {
				if p := shared(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
					return p
				}
			}
		}
	case reflect.Slice:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for i := range a.Len() {
			if p := shared(a.Index(i), b.Index(i), fmt.Sprintf("%s[%d]", path, i)); p != "" {
				return p
			}
		}
	case reflect.Map:
		if a.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		for _, k := range a.MapKeys() {
			if p := shared(a.MapIndex(k), b.MapIndex(k), path+"["+fmt.Sprint(k)+"]"); p != "" {
				return p
			}
		}
	}
	return ""
}

// TestCloneIsDeep: a Complaint with every field filled, blocks, actions
// and extras included, shares nothing with its clone.
func TestCloneIsDeep(t *testing.T) {
	var c Complaint
	fill(reflect.ValueOf(&c).Elem(), 0)
	if c.Wire.AdditionalInfo.SharePowerInfo.ReturnAddressInfo == nil || c.History[0].NormalMessage.Blocks[0].ButtonGroup.Buttons[0].Action.MessageInfo == nil {
		t.Fatal("fill left the depths empty")
	}
	d := c.Clone()
	if p := shared(reflect.ValueOf(c), reflect.ValueOf(d), "Complaint"); p != "" {
		t.Errorf("the clone shares %s", p)
	}
	if !reflect.DeepEqual(c, d) {
		t.Error("the clone differs")
	}
}

// TestSnapshotIsDeep: changing a snapshot changes nothing in the world.
func TestSnapshotIsDeep(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	id := prepare(t, w, startProcessing)
	must[Complaint](t)(w.File(FileSpec{MchID: mch1, Images: []ImageFile{{Filename: "e.png", Data: png}}}))
	before, _ := json.Marshal(w.Snapshot())
	s := w.Snapshot()
	s.Complaints[0].Wire.ComplaintOrderInfo[0].Amount = -1
	s.Complaints[0].History[0].OperateDetails = "changed"
	s.Complaints[1].Wire.ComplaintMediaList[0].MediaURL[0] = "changed"
	s.Images[0].Data[0] = 'X'
	s.Merchants[0].NotifyURL = "changed"
	after, _ := json.Marshal(w.Snapshot())
	if string(before) != string(after) {
		t.Error("a change to a snapshot reached the world")
	}
	c, _ := w.Complaint(id)
	c.History = append(c.History, complaints.NegotiationHistory{})
	if again, _ := w.Complaint(id); len(again.History) != 2 {
		t.Error("Complaint handed out the world's history")
	}
}

// TestRestore: a snapshot, through JSON, restores the same world, which
// goes on making the ids the saved one would; a state that does not hold
// together is refused and leaves the world as it was.
func TestRestore(t *testing.T) {
	w, c := newWorld(t, Rules{})
	id := prepare(t, w, startProcessed)
	must[Complaint](t)(w.File(FileSpec{MchID: mch2, Images: []ImageFile{{Filename: "e.png", Data: png}}}))
	upload(t, w, mch1)
	w.CreateNotifyURL(mch1, "https://example.com/cb")
	saved, err := json.Marshal(w.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var s State
	if err := json.Unmarshal(saved, &s); err != nil {
		t.Fatal(err)
	}
	w2 := New(Config{Seed: 99}, c.now)
	if _, err := w2.Restore(s); err != nil {
		t.Fatal(err)
	}
	again, _ := json.Marshal(w2.Snapshot())
	if string(again) != string(saved) {
		t.Errorf("restored world differs:\n%s\n%s", saved, again)
	}
	next1 := must[Complaint](t)(w.File(FileSpec{MchID: mch1})).ID()
	next2 := must[Complaint](t)(w2.File(FileSpec{MchID: mch1})).ID()
	if next1 != next2 {
		t.Errorf("after restoring, the next id is %s, the saved world's %s", next2, next1)
	}
	page, err := w2.List(mch1, complaints.ListRequest{BeginDate: day(1), EndDate: day(1)})
	if err != nil || len(page.Data) != 2 || page.Data[0].ComplaintID != id {
		t.Errorf("the restored index: %+v %v", page, err)
	}

	bad := []func(s *State){
		func(s *State) { s.Complaints[0].Wire.ComplaintedMchID = "nobody" },
		func(s *State) { s.Complaints[1].Wire.ComplaintID = s.Complaints[0].Wire.ComplaintID },
		func(s *State) { s.Complaints[0].Wire.ComplaintState = "CLOSED" },
		func(s *State) { s.Merchants[0].APIv3Key = "short" },
		func(s *State) { s.Images = append(s.Images, s.Images[0]) },
		func(s *State) { s.IDs = []byte("garbage") },
	}
	for i, f := range bad {
		var s State
		json.Unmarshal(saved, &s)
		f(&s)
		before, _ := json.Marshal(w2.Snapshot())
		if _, err := w2.Restore(s); err == nil {
			t.Errorf("bad state %d restored", i)
		}
		if after, _ := json.Marshal(w2.Snapshot()); string(after) != string(before) {
			t.Errorf("bad state %d changed the world", i)
		}
	}
}

// TestConcurrentActs: the merchant and users act on the same complaints
// at once; every act done is in the history exactly once, and no act is
// lost (go test -race checks the locking).
func TestConcurrentActs(t *testing.T) {
	w, _ := newWorld(t, Rules{AllowReplyWhenProcessed: true})
	ids := []string{prepare(t, w, startProcessing), prepare(t, w, startProcessing)}
	const n = 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := map[string]int{}
	for _, id := range ids {
		for i := range n {
			wg.Go(func() {
				var err error
				switch i % 3 {
				case 0:
					_, err = w.Respond(mch1, id, complaints.ResponseRequest{ComplaintedMchID: mch1, ResponseContent: "好的"})
				case 1:
					_, _, err = w.UserMessage(id, "在吗")
				case 2:
					_, _, err = w.PlatformMessage(id, "请处理")
				}
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				done[id]++
			})
			wg.Go(func() { w.Snapshot() })
			wg.Go(func() { w.List(mch1, complaints.ListRequest{BeginDate: day(1), EndDate: day(1)}) })
		}
	}
	wg.Wait()
	for _, id := range ids {
		c, _ := w.Complaint(id)
		logs := map[string]bool{}
		for _, h := range c.History {
			logs[h.LogID] = true
		}
		if len(c.History) != 2+done[id] || len(logs) != len(c.History) {
			t.Errorf("%s: %d entries (%d distinct), want %d", id, len(c.History), len(logs), 2+done[id])
		}
	}
}

func TestClosed(t *testing.T) {
	w, _ := newWorld(t, Rules{})
	id := prepare(t, w, startPending)
	w.Close()
	if _, _, err := w.File(FileSpec{MchID: mch1}); !errors.Is(err, ErrClosed) {
		t.Errorf("File: %v", err)
	}
	if _, err := w.Respond(mch1, id, complaints.ResponseRequest{ComplaintedMchID: mch1, ResponseContent: "x"}); !errors.Is(err, ErrClosed) {
		t.Errorf("Respond: %v", err)
	}
}
