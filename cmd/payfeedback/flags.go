package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"
)

// The environment variables the subcommands read. The secrets may come from
// the environment because a secret on the command line is visible to every
// user of the machine. mock does not read them: its flags and config file
// define the fake's accounts.
const (
	envBaseURL    = "PAYFEEDBACK_BASE_URL"   // sets --base-url
	envSecret     = "PAYFEEDBACK_SECRET"     // read when --secret is not given
	envPaySignKey = "PAYFEEDBACK_PAYSIGNKEY" // read when --paysignkey is not given
)

// credentials are the account flags every subcommand names the same way.
type credentials struct {
	AppID      string
	Secret     string
	PaySignKey string
}

// addAppIDFlag registers --appid.
func (c *credentials) addAppIDFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.AppID, "appid", c.AppID, "the official account's `appid`")
}

// addSecretFlag registers --secret.
func (c *credentials) addSecretFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.Secret, "secret", c.Secret, "the account's appSecret, for the token API (a `secret`: never logged)")
}

// addPaySignKeyFlag registers --paysignkey and its alias --appkey (the
// other name WeChat's document gives the same key).
func (c *credentials) addPaySignKeyFlag(fs *flag.FlagSet) {
	fs.StringVar(&c.PaySignKey, "paysignkey", c.PaySignKey, "the paySignKey that signs notifications (a `key`: never logged)")
	fs.StringVar(&c.PaySignKey, "appkey", c.PaySignKey, "alias of --paysignkey")
}

// secretsFromEnv fills the secret and the paySignKey the flags left empty
// from $PAYFEEDBACK_SECRET and $PAYFEEDBACK_PAYSIGNKEY.
func (c *credentials) secretsFromEnv(std stdio) {
	if c.Secret == "" {
		c.Secret = std.getenv(envSecret)
	}
	if c.PaySignKey == "" {
		c.PaySignKey = std.getenv(envPaySignKey)
	}
}

// addBaseURLFlag registers --base-url, defaulting to $PAYFEEDBACK_BASE_URL
// and then to def.
func addBaseURLFlag(fs *flag.FlagSet, std stdio, def string) *string {
	if v := std.getenv(envBaseURL); v != "" {
		def = v
	}
	return fs.String("base-url", def, "the WeChat API base `URL` (env "+envBaseURL+"); point it at `payfeedback mock` to test offline")
}

// readInput reads a file argument ("" or "-" is standard input), at most
// limit bytes plus one, so that a caller can tell an oversized input.
func readInput(std stdio, name string, limit int64) ([]byte, error) {
	var r io.Reader = std.Stdin
	if name != "" && name != "-" {
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r = f
	}
	if r == nil {
		return nil, errors.New("no standard input")
	}
	return io.ReadAll(io.LimitReader(r, limit+1))
}

// durationValue is a duration flag whose error says what to write: flag's
// own answers "parse error" to --timeout 5.
type durationValue time.Duration

func (d *durationValue) String() string { return time.Duration(*d).String() }

func (d *durationValue) Set(s string) error {
	v, err := time.ParseDuration(s)
	if err != nil {
		if _, numErr := strconv.ParseFloat(s, 64); numErr == nil {
			return fmt.Errorf("use a duration such as %ss (a number needs a unit: ms, s, m, h)", s)
		}
		return errors.New("use a duration such as 5s, 300ms or 2m")
	}
	*d = durationValue(v)
	return nil
}

// durationFlag registers a duration flag (see durationValue).
func durationFlag(fs *flag.FlagSet, name string, def time.Duration, usage string) *time.Duration {
	d := def
	fs.Var((*durationValue)(&d), name, usage)
	return &d
}
