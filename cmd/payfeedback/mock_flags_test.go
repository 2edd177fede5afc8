package main

import (
	"bytes"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/payfeedback/payfeedback/mockwechat"
)

// TestServeFlagsMerge: the flags given override the --config file, the
// flags left out do not; the account flags change the one account there
// is (the config's, the scenario's, or the demo account); flags that
// contradict each other, the config or the scenario are refused with what
// to drop. A scenario with --virtual-clock failed with "give
// NewVirtualClock of the scenario's start, or leave Options.Clock nil",
// which names nothing a CLI user can change.
func TestServeFlagsMerge(t *testing.T) {
	two := []mockwechat.Account{{AppID: "wxa", Secret: "s", PaySignKey: "k"}, {AppID: "wxb", Secret: "s", PaySignKey: "k"}}
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	scenario := func() *mockwechat.Scenario {
		sc := &mockwechat.Scenario{}
		sc.Clock.Start = start
		sc.Accounts = []mockwechat.AccountState{{Account: mockwechat.Account{AppID: "wx5eed", Secret: "seed", PaySignKey: "seedkey"}}}
		return sc
	}
	tests := []struct {
		name    string
		args    []string
		cfg     mockwechat.Config
		sc      *mockwechat.Scenario
		check   func(t *testing.T, s mockSetup)
		wantErr string
	}{
		{name: "defaults: the demo account on the default address, pushes stamped with wall time",
			check: func(t *testing.T, s mockSetup) {
				if s.cfg.Addr != defaultMockAddr || !s.demo || len(s.cfg.Accounts) != 1 || !reflect.DeepEqual(s.cfg.Accounts[0], mockwechat.DemoAccount()) ||
					s.cfg.PushTimestamps != mockwechat.PushTimestampsWall || s.cfg.VirtualClock || s.cfg.RetrySchedule != nil {
					t.Errorf("%+v", s)
				}
			}},
		{name: "the config's address and push clock stand when no flag is given",
			cfg: mockwechat.Config{Options: mockwechat.Options{Addr: "127.0.0.1:9999", PushTimestamps: mockwechat.PushTimestampsVirtual}},
			check: func(t *testing.T, s mockSetup) {
				if s.cfg.Addr != "127.0.0.1:9999" || s.cfg.PushTimestamps != mockwechat.PushTimestampsVirtual {
					t.Errorf("%+v", s.cfg)
				}
			}},
		{name: "flags given override the config",
			args: []string{"--addr", "127.0.0.1:0", "--push-timestamps", "wall", "--token-calls-per-day", "5", "--strict-ack", "--push-rate", "2.5", "--virtual-clock=false"},
			cfg: mockwechat.Config{Options: mockwechat.Options{Addr: "127.0.0.1:9999", PushTimestamps: mockwechat.PushTimestampsVirtual,
				TokenCallsPerDay: 100, PushRate: 1}, VirtualClock: true},
			check: func(t *testing.T, s mockSetup) {
				c := s.cfg
				if c.Addr != "127.0.0.1:0" || c.PushTimestamps != mockwechat.PushTimestampsWall || c.TokenCallsPerDay != 5 ||
					!c.StrictPushAck || c.PushRate != 2.5 || c.VirtualClock {
					t.Errorf("%+v", c)
				}
			}},
		{name: "--clock-start makes the clock virtual",
			args: []string{"--clock-start", "2025-03-01T10:00:00Z"},
			check: func(t *testing.T, s mockSetup) {
				if !s.cfg.VirtualClock || !s.cfg.ClockStart.Equal(start) {
					t.Errorf("%+v", s.cfg)
				}
			}},
		{name: "--clock-start with --virtual-clock=false", args: []string{"--clock-start", "2025-03-01T10:00:00Z", "--virtual-clock=false"},
			wantErr: "--clock-start starts a virtual clock, and --virtual-clock=false asks for real time: drop one"},
		{name: "a bad --clock-start", args: []string{"--clock-start", "yesterday"}, wantErr: `--clock-start "yesterday": want RFC 3339`},
		{name: "--retry", args: []string{"--retry", "1s, 2m"},
			check: func(t *testing.T, s mockSetup) {
				if !reflect.DeepEqual(s.cfg.RetrySchedule, []time.Duration{time.Second, 2 * time.Minute}) {
					t.Errorf("%v", s.cfg.RetrySchedule)
				}
			}},
		{name: "--retry none: no retries", args: []string{"--retry", "none"},
			check: func(t *testing.T, s mockSetup) {
				if s.cfg.RetrySchedule == nil || len(s.cfg.RetrySchedule) != 0 {
					t.Errorf("%#v, want an empty schedule (nil means the default)", s.cfg.RetrySchedule)
				}
			}},
		{name: "a bad --retry", args: []string{"--retry", "1s,-2s"}, wantErr: `--retry "-2s": want positive Go durations`},
		{name: "--allow-host adds to the config's", args: []string{"--allow-host", "mock, wechat ,"},
			cfg: mockwechat.Config{Options: mockwechat.Options{AllowedHosts: []string{"fake"}}},
			check: func(t *testing.T, s mockSetup) {
				if !reflect.DeepEqual(s.cfg.AllowedHosts, []string{"fake", "mock", "wechat"}) {
					t.Errorf("%q", s.cfg.AllowedHosts)
				}
			}},
		{name: "Complaints 2.0 is on by default", check: func(t *testing.T, s mockSetup) {
			if s.cfg.Pay == nil || !reflect.DeepEqual(*s.cfg.Pay, mockwechat.PayOptions{}) {
				t.Errorf("Pay %+v, want the zero PayOptions", s.cfg.Pay)
			}
		}},
		{name: "--pay-keys and --pay-mode", args: []string{"--pay-keys", "/tmp/k", "--pay-mode", "switch"},
			cfg: mockwechat.Config{Options: mockwechat.Options{Pay: &mockwechat.PayOptions{MchID: "1230000109"}}},
			check: func(t *testing.T, s mockSetup) {
				if p := s.cfg.Pay; p == nil || p.KeysDir != "/tmp/k" || p.Mode != mockwechat.PayModeSwitch || p.MchID != "1230000109" {
					t.Errorf("Pay %+v, want the flags over the config's", p)
				}
			}},
		{name: "--pay=false", args: []string{"--pay=false"}, cfg: mockwechat.Config{Options: mockwechat.Options{Pay: &mockwechat.PayOptions{}}},
			check: func(t *testing.T, s mockSetup) {
				if s.cfg.Pay != nil {
					t.Errorf("Pay %+v, want nil", s.cfg.Pay)
				}
			}},
		{name: "--pay-probe-every", args: []string{"--pay-probe-every", "6h"},
			check: func(t *testing.T, s mockSetup) {
				if p := s.cfg.Pay; p == nil || p.ProbeEvery != 6*time.Hour {
					t.Errorf("Pay %+v, want ProbeEvery 6h", p)
				}
			}},
		{name: "--pay=false with --pay-probe-every", args: []string{"--pay=false", "--pay-probe-every", "6h"}, wantErr: "--pay=false turns Complaints 2.0 off"},
		{name: "--pay=false with --pay-keys", args: []string{"--pay=false", "--pay-keys", "k"}, wantErr: "--pay=false turns Complaints 2.0 off: drop --pay-keys"},
		{name: "--allow-notify adds to the config's", args: []string{"--allow-notify", "10.0.0.0/8, merchant"},
			cfg: mockwechat.Config{Options: mockwechat.Options{AllowNotify: []string{"192.168.1.2"}}},
			check: func(t *testing.T, s mockSetup) {
				if !reflect.DeepEqual(s.cfg.AllowNotify, []string{"192.168.1.2", "10.0.0.0/8", "merchant"}) {
					t.Errorf("%q", s.cfg.AllowNotify)
				}
			}},
		{name: "the account flags change the demo account; a secret of one's own is not the demo's",
			args: []string{"--appid", "wxci", "--secret", "ci-secret", "--appkey", "ci-key", "--notify-url", "http://127.0.0.1:9/pf"},
			check: func(t *testing.T, s mockSetup) {
				a := s.cfg.Accounts
				if s.demo || len(a) != 1 || a[0].AppID != "wxci" || a[0].Secret != "ci-secret" || a[0].PaySignKey != "ci-key" || a[0].NotifyURL != "http://127.0.0.1:9/pf" {
					t.Errorf("demo %v, %+v", s.demo, a)
				}
			}},
		{name: "--notify-url alone keeps the demo account's public credentials", args: []string{"--notify-url", "http://127.0.0.1:9/pf"},
			check: func(t *testing.T, s mockSetup) {
				if !s.demo || s.cfg.Accounts[0].NotifyURL != "http://127.0.0.1:9/pf" || s.cfg.Accounts[0].Secret != mockwechat.DemoAccount().Secret {
					t.Errorf("demo %v, %+v", s.demo, s.cfg.Accounts)
				}
			}},
		{name: "the account flags and a config of two accounts", args: []string{"--appid", "wxc"},
			cfg: mockwechat.Config{Options: mockwechat.Options{Accounts: two}}, wantErr: "the config file or the scenario has 2: set them there"},
		{name: "a config of two accounts, no account flag",
			cfg: mockwechat.Config{Options: mockwechat.Options{Accounts: two}},
			check: func(t *testing.T, s mockSetup) {
				if s.demo || !reflect.DeepEqual(s.cfg.Accounts, two) {
					t.Errorf("demo %v, %+v", s.demo, s.cfg.Accounts)
				}
			}},
		{name: "the account flags change the scenario's one account", args: []string{"--notify-url", "http://127.0.0.1:9/pf", "--appid", "wxnew"},
			sc: scenario(),
			check: func(t *testing.T, s mockSetup) {
				a := s.scenario.Accounts[0].Account
				if s.demo || len(s.cfg.Accounts) != 0 || a.AppID != "wxnew" || a.Secret != "seed" || a.NotifyURL != "http://127.0.0.1:9/pf" {
					t.Errorf("demo %v, config's %+v, scenario's %+v", s.demo, s.cfg.Accounts, a)
				}
			}},
		{name: "a scenario with --virtual-clock runs on the scenario's clock", args: []string{"--virtual-clock"}, sc: scenario(),
			cfg: mockwechat.Config{VirtualClock: true},
			check: func(t *testing.T, s mockSetup) {
				if s.cfg.VirtualClock {
					t.Errorf("a clock of its own would start now, not at the scenario's start: %+v", s.cfg)
				}
			}},
		{name: "a scenario with --clock-start", args: []string{"--clock-start", "2020-01-01T00:00:00Z"}, sc: scenario(),
			wantErr: "--scenario: the scenario's clock.start sets the clock; drop --clock-start"},
		{name: "a scenario with the config's clock_start", sc: scenario(), cfg: mockwechat.Config{VirtualClock: true, ClockStart: start},
			wantErr: "drop --clock-start (or clock_start from --config)"},
		{name: "a scenario with --virtual-clock=false", args: []string{"--virtual-clock=false"}, sc: scenario(),
			wantErr: "--scenario runs on a virtual clock: drop --virtual-clock=false"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			f, err := parseServeFlags(stdio{Stdout: &out, Stderr: &out}, "mock", tt.args)
			if err != nil {
				t.Fatal(err)
			}
			s, err := f.merge(tt.cfg, tt.sc)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			default:
				tt.check(t, s)
			}
		})
	}
}

// TestMockScenarioVirtualClock: payfeedback mock --scenario FILE
// --virtual-clock starts, on the scenario's clock.
func TestMockScenarioVirtualClock(t *testing.T) {
	start := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	base, out, _, _ := startMock(t, "--pay-keys", payKeys(t), "--scenario", "../../examples/scenarios/fresh-account.yaml", "--virtual-clock", "--log", "off")
	if !strings.Contains(out.String(), "virtual, at 2025-03-01T10:00:00Z") {
		t.Fatalf("banner:\n%s", out)
	}
	if now := fakeNow(t, base); !now.Equal(start) {
		t.Fatalf("the clock reads %v, want the scenario's start", now)
	}
}
