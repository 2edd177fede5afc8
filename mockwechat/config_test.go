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

// TestConfigDocumented: the configuration file documented on Config parses
// whole, each field into its option.
func TestConfigDocumented(t *testing.T) {
	c, err := ParseConfig([]byte(`{
	  "addr": "127.0.0.1:8080", "allowed_hosts": ["mockwechat"],
	  "accounts": [{"appid": "wx…", "secret": "…", "paysignkey": "…",
	                "notify_url": "http://127.0.0.1:9000/payfeedback",
	                "reasons": ["质量问题"], "solutions": ["退款"]}],
	  "virtual_clock": true, "clock_start": "2025-03-01T10:00:00Z",
	  "push_timestamps": "wall",
	  "token_ttl": "2h", "token_grace": "5m", "token_calls_per_day": 2000,
	  "calls_per_minute": 0, "message_window": "24h", "news_limit": 10,
	  "news_overflow": "error", "media_ttl": "72h", "inbox_size": 1000,
	  "max_media": 10000, "retry_schedule": ["15s", "15s", "30s", "3m"],
	  "push_timeout": "5s", "push_concurrency": 8, "push_rate": 0,
	  "strict_push_ack": false, "call_log_size": 10000,
	  "call_log_bytes": 16777216, "delivery_log_size": 10000,
	  "delivery_log_bytes": 33554432, "evidence_window": "72h",
	  "read_timeout": "30s", "idle_timeout": "2m",
	  "max_header_bytes": 65536, "seed": 0
	}`))
	if err != nil {
		t.Fatal(err)
	}
	o, err := c.Resolve(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if o.AllowedHosts[0] != "mockwechat" || o.PushTimestamps != PushTimestampsWall || o.TokenGrace != 5*time.Minute ||
		o.CallLogBytes != 16<<20 || o.IdleTimeout != 2*time.Minute || len(o.RetrySchedule) != 4 ||
		o.Accounts[0].Solutions[0] != "退款" || !o.Clock.Now().Equal(t0) || o.MaxHeaderBytes != 64<<10 {
		t.Fatalf("options: %+v", o)
	}
	c, err = ParseConfig([]byte(`{"retry_schedule": []}`))
	if err != nil || c.RetrySchedule == nil || len(c.RetrySchedule) != 0 {
		t.Fatalf("an empty retry schedule (no retries) read as %#v, %v", c.RetrySchedule, err)
	}
}
