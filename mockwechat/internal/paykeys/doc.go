// Package paykeys is the fake WeChat Pay's identity for Complaints 2.0 and
// APIv3, as a merchant meets it: WeChat's keys (a WeChat Pay public key,
// PUB_KEY_ID_ and 32 digits, and a platform certificate, self-signed, valid
// five years on the fake's clock) and a demo merchant (mchid, an API key
// with its self-signed API certificate, whose serial is the merchant's
// serial_no, and a 32-character APIv3 key). None of them is WeChat's: the
// fake signs with its own keys.
//
// Open makes the identity, in memory or in a keys directory
// (--pay-keys DIR): a new directory gets the files a merchant configures,
// written with apiv3.WriteMerchantKeys as apiv3.LoadMerchantKeys reads them
// (apiclient_key.pem, pub_key.pem, merchant.json), the demo merchant's
// certificate (apiclient_cert.pem) and what the fake keeps to stay itself
// across runs (wechatpay_public_key_private.pem, platform_key.pem,
// platform_cert.pem), every file mode 0600. A directory that holds them is
// loaded, so keys are stable across runs; a merchant may put its own API
// certificate (or public key) and merchant.json there instead of the demo's
// (see Open). The RSA keys of a fresh identity are generated concurrently.
//
// Signing says which key signs what, in the three modes of WeChat
// (docs/apiv3.md, "Keys"): the public key, the platform certificate, and
// the switch from one to the other, during which callbacks are signed by
// either key at random, the public key's share rising day by day (0.1 %,
// 1 %, 5 %, 10 %, 20 %, 50 %, then 100 % from the 7th day on the fake's
// clock), and answers by the key the request's Wechatpay-Serial names.
package paykeys
