package complaints

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"testing"
)

// Decoding scales with the answer: a page of n items costs n times one
// item. Run with
//
//	go test -run XXX -bench . -benchmem ./complaints

func BenchmarkDecodeHistoryPage(b *testing.B) {
	var one Page[NegotiationHistory]
	if err := json.Unmarshal(readFile(b, filepath.Join(testdataDir, "answers", "history_page.json")), &one); err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{9, 90, 900} {
		p := Page[NegotiationHistory]{Limit: n}
		for len(p.Data) < n {
			p.Data = append(p.Data, one.Data...)
		}
		data, err := json.Marshal(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%d entries", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var got Page[NegotiationHistory]
				if err := json.Unmarshal(data, &got); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecodeListPage(b *testing.B) {
	var c Complaint
	if err := json.Unmarshal(readFile(b, filepath.Join(testdataDir, "answers", "detail_every_field.json")), &c); err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1, 50, 500} {
		p := Page[Complaint]{Limit: n}
		for range n {
			p.Data = append(p.Data, c)
		}
		data, err := json.Marshal(p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("%d complaints", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				var got Page[Complaint]
				if err := json.Unmarshal(data, &got); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkParseEvent(b *testing.B) {
	data := []byte(`{"complaint_id":"200201820200101080076610000","action_type":"CREATE_COMPLAINT"}`)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseEvent(data); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeListPage(b *testing.B) {
	var c Complaint
	if err := json.Unmarshal(readFile(b, filepath.Join(testdataDir, "answers", "detail_every_field.json")), &c); err != nil {
		b.Fatal(err)
	}
	p := Page[Complaint]{Limit: 50}
	for range 50 {
		p.Data = append(p.Data, c)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := json.Marshal(p); err != nil {
			b.Fatal(err)
		}
	}
}
