// Package apiv3 is the WeChat Pay APIv3 machinery the Complaints 2.0 kit is
// built on, and knows nothing of complaints: the shape of the official
// SDK's core (github.com/wechatpay-apiv3/wechatpay-go), small pieces that
// compose. docs/apiv3.md has the rules each piece follows, with their
// sources.
//
//   - Keys: ParsePrivateKey (apiclient_key.pem, PKCS#8), ParsePublicKey
//     (pub_key.pem), ParseCertificate, SerialOf.
//   - Signing a request: Signer.Authorization builds the Authorization
//     header (WECHATPAY2-SHA256-RSA2048) over the string RequestMessage
//     writes: method, the request-target as sent, timestamp, nonce, the
//     exact body (the meta JSON for an upload). ParseAuthorization and
//     Authorization.Verify are the other side, for whoever plays WeChat.
//   - Verifying an answer or a callback: a Verifier holds the WeChat Pay
//     public key (PUB_KEY_ID_…), platform certificates, or both during
//     WeChat's switch, and picks the key by Wechatpay-Serial. It refuses a
//     timestamp five minutes off either way, an unknown serial with an
//     error that names it and what to configure, and WeChat's signature
//     probes (WECHATPAY/SIGNTEST/…) as the failed verifications they are
//     meant to be. Signer.SignHeaders signs answers and callbacks, for the
//     fake.
//   - Encryption: AEAD opens and seals AEAD_AES_256_GCM resources under the
//     APIv3 key; EncryptOAEP and DecryptOAEP handle sensitive fields such
//     as payer_phone.
//   - Callbacks: ParseNotification decodes the envelope; an Opener verifies,
//     decodes and decrypts a callback in one call, outside net/http (the
//     callback middleware is built on it).
//   - Calling the API: Client signs each request, asks for answers signed
//     with a key it has, verifies every answer before returning it, never
//     follows a redirect, turns error answers into *Error (code, message,
//     detail; WeChat's reconstruction of a failed signature beside what was
//     signed), retries on request, uploads (multipart, signed over meta)
//     and downloads images and platform certificates.
//
// Every error wraps a sentinel for errors.Is (ErrBadSignature,
// ErrUnknownSerial, ErrDecrypt, …) or is a type for errors.As (*VerifyError,
// *Error), and never includes a key, a signature's secret input or a
// decrypted field.
package apiv3
