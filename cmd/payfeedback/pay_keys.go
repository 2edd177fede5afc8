package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/payfeedback/payfeedback/internal/text"
	"github.com/payfeedback/payfeedback/mockwechat"
)

// payRotateCommand replaces the fake's platform certificate.
type payRotateCommand struct{}

func (*payRotateCommand) Name() string { return "pay rotate-certificate" }

func (*payRotateCommand) Synopsis() string {
	return "replace the fake's platform certificate, as WeChat does when one expires"
}

func (c *payRotateCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay rotate-certificate"
	fs := newFlagSet(std, c.Name(), "[flags]\n\n"+
		"Replaces the fake's platform certificate (POST /_mock/pay/certificates/rotate): a new\n"+
		"one, with a new serial, signs every answer and callback a platform certificate signs\n"+
		"from now on; the old one expires in 24 h and GET /v3/certificates lists both until\n"+
		"then. A merchant holding only the old one must download the certificates again when\n"+
		"a callback names a serial it does not know. The keys directory keeps the new one.")
	mf := addMockFlags(fs, std)
	client, err := mf.parseNoArgs(fs, args, hint)
	if err != nil {
		return err
	}
	var m mockwechat.PayMerchant
	raw, err := client.do(ctx, http.MethodPost, "/_mock/pay/certificates/rotate", struct{}{}, &m)
	if err != nil {
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "platform certificate rotated: %s signs from now on\n", text.Terminal(m.PlatformSerial))
	for _, pc := range m.PlatformCertificates {
		role := "signs"
		if !pc.Signing {
			role = "replaced, listed until it expires"
		}
		fmt.Fprintf(&b, "  %s  valid %s to %s  %s\n", text.Terminal(pc.SerialNo), pc.EffectiveTime.Format(time.RFC3339), pc.ExpireTime.Format(time.RFC3339), role)
	}
	_, err = io.WriteString(std.Stdout, b.String())
	return err
}

// payKeysCommand says what a merchant configures to talk to the fake.
type payKeysCommand struct{}

func (*payKeysCommand) Name() string { return "pay keys" }

func (*payKeysCommand) Synopsis() string {
	return "what a merchant configures to talk to the fake's Complaints 2.0 (never a private key)"
}

func (c *payKeysCommand) Run(ctx context.Context, args []string, std stdio) error {
	const hint = "payfeedback pay keys"
	fs := newFlagSet(std, c.Name(), "[flags]\n\n"+
		"Prints what each merchant of the fake configures (GET /_mock/pay/merchants): its\n"+
		"mchid, API certificate serial, APIv3 key, the fake's public key id and platform\n"+
		"certificate serial, the mode, the callback URL and the keys directory's files.\n"+
		"The admin API never gives a private key: the keys directory holds the merchant's.")
	mf := addMockFlags(fs, std)
	client, err := mf.parseNoArgs(fs, args, hint)
	if err != nil {
		return err
	}
	var ms []mockwechat.PayMerchant
	raw, err := client.do(ctx, http.MethodGet, "/_mock/pay/merchants", nil, &ms)
	if err != nil {
		var ae *adminError
		if errors.As(err, &ae) && ae.Status == http.StatusNotFound {
			return fmt.Errorf("%w (the fake was started with --pay=false?)", err)
		}
		return err
	}
	if *mf.json {
		return printJSON(std.Stdout, raw)
	}
	var b strings.Builder
	for i, m := range ms {
		if i > 0 {
			b.WriteByte('\n')
		}
		keys := "in memory only: restart the fake with --pay-keys DIR to get the merchant's private key as a file"
		if m.KeysDir != "" {
			keys = m.KeysDir
		}
		notify := m.NotifyURL
		if notify == "" {
			notify = "(none: the merchant creates it, POST /v3/merchant-service/complaint-notifications)"
		}
		fmt.Fprintf(&b, "merchant %s (mode %s)\n", text.Terminal(m.MchID), text.Terminal(string(m.Mode)))
		rows := [][2]string{
			{"mchid", m.MchID},
			{"serial_no", m.SerialNo + "   the API certificate's serial: Authorization's serial_no"},
			{"apiv3_key", m.APIv3Key + "   decrypts callbacks and certificates"},
			{"public_key_id", m.PublicKeyID + "   Wechatpay-Serial of what pub_key.pem signs"},
			{"platform_serial", m.PlatformSerial + "   GET /v3/certificates"},
			{"notify_url", notify},
			{"keys", keys},
		}
		if m.KeysDir != "" {
			rows = append(rows, [2]string{"", "apiclient_key.pem (the merchant's API private key: signs requests), pub_key.pem (the fake's public key: verifies answers and callbacks), merchant.json"})
		}
		for _, r := range rows {
			fmt.Fprintf(&b, "  %-16s %s\n", r[0], text.Terminal(r[1]))
		}
	}
	_, err = io.WriteString(std.Stdout, b.String())
	return err
}
