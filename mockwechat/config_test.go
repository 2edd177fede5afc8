package mockwechat

import (
	"strings"
	"testing"
	"time"
)

func TestParseConfig(t *testing.T) {
	good := `{"addr":"127.0.0.1:0","accounts":[{"appid":"wxa","secret":"s","paysignkey":"k","reasons":["质量问题"]}],
		"virtual_clock":true,"clock_start":"2025-03-01T10:00:00Z","token_ttl":"1h","retry_schedule":["1s","2s"],
		"news_limit":8,"news_overflow":"silent","strict_push_ack":true}`
	c, err := ParseConfig([]byte(good))
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.Resolve(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if o.Clock == nil || !o.Clock.Now().Equal(t0) || o.TokenTTL != time.Hour || len(o.RetrySchedule) != 2 ||
		o.NewsOverflow != NewsOverflowSilent || !o.StrictPushAck || o.Accounts[0].Reasons[0] != "质量问题" {
		t.Fatalf("options: %+v", o)
	}
	s, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.Reasons("wxa"); len(got) != 1 {
		t.Fatalf("reasons from config: %q", got)
	}

	for _, bad := range []string{
		`{"adr":"x"}`,
		`{"token_ttl":"soon"}`,
		`{"retry_schedule":["1x"]}`,
		`{"clock_start":"2025-03-01T10:00:00Z"}`,
		`{"virtual_clock":true,"clock_start":"yesterday"}`,
		`{} {}`,
		`[`,
	} {
		c, err := ParseConfig([]byte(bad))
		if err == nil {
			_, err = c.Resolve(time.Now())
		}
		if err == nil || !strings.Contains(err.Error(), "config") {
			t.Errorf("config %s: err %v, want a config error", bad, err)
		}
	}
	c, _ = ParseConfig([]byte(`{"accounts":[{"appid":"wxa","secret":"s","paysignkey":"k","reasons":["a","b","c","d"]}]}`))
	o, _ = c.Resolve(time.Now())
	if _, err := New(o); err == nil {
		t.Error("four reasons accepted")
	}
}

func FuzzParseConfig(f *testing.F) {
	f.Add([]byte(`{"addr":"127.0.0.1:0","virtual_clock":true,"token_ttl":"1h","retry_schedule":["1s"]}`))
	f.Add([]byte(`{"accounts":[{"appid":"a","secret":"s","paysignkey":"k"}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := ParseConfig(b)
		if err != nil {
			return
		}
		o, err := c.Resolve(t0)
		if err != nil {
			return
		}
		o.Addr = ""
		if s, err := New(o); err == nil {
			s.Close()
		}
	})
}
