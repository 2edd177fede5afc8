// Package evidence writes and verifies signed, reproducible evidence of a
// conformance run: one file a merchant hands to an auditor or a payment
// partner, which says what was checked, against what, by which version
// of the kit, with which outcome, and which any change makes fail.
//
// A bundle holds the run of a plan (the V1.5 plan of package
// conformance, or any plan that reports a conformance.Report) in one
// POSIX tar archive, readable with standard tools:
//
//	SHA256SUMS            the manifest: the SHA-256 of every part below (sha256sum's format)
//	SHA256SUMS.sig        its Ed25519 signature (64 raw bytes)
//	key.pub.pem           the public key that signed (PEM, PKIX)
//	run.json              the Record: plan, variants, kit version, command line, seed,
//	                      start and signing times, the expected-failure list, what was masked, the key
//	report.json           the report, as payfeedback check --format json writes it
//	expect-fail.txt       the --expect-fail file as it was given, comments included (when one was)
//	exchanges/<id>.txt    each case's requests and answers on the wire, as the text report shows them
//
// An auditor checks one without this kit:
//
//	mkdir bundle && tar -xf evidence.tar -C bundle && cd bundle
//	sha256sum -c --strict SHA256SUMS
//	openssl pkeyutl -verify -pubin -inkey key.pub.pem -rawin -in SHA256SUMS -sigfile SHA256SUMS.sig
//	openssl pkey -pubin -in key.pub.pem -outform DER | sha256sum   # the key's fingerprint
//
// and with it, Verify (payfeedback evidence verify FILE --key PUBFILE)
// checks more: that the archive is byte for byte the one the writer
// writes for those parts (so a byte changed in a header or in the padding
// fails too), that the manifest covers every part and nothing else, and
// that the signed parts agree with each other.
//
// # Keys, and what a signature proves
//
// The manifest is signed with Options.Key, an Ed25519 key in a PEM file
// (ParsePrivateKey: openssl genpkey -algorithm ed25519 -out evidence.key,
// or payfeedback evidence keygen evidence.key), whose public half the
// auditor gets from the signer by a channel they trust, or whose
// fingerprint the signer publishes. Without a key, Write signs with a
// fresh one, puts its public half in the bundle and throws it away; the
// bundle says the key was ephemeral. Such a bundle proves that it was not
// changed since it was signed, but anyone can write such a bundle: it is
// only as trustworthy as the channel that delivered it. Verify's trusted
// key (--key) is what turns a bundle into evidence of who signed it.
//
// # Secrets
//
// No part holds a secret of the run: Options.Secrets lists them (the
// paySignKey, the appSecret; for Complaints 2.0 the APIv3 key and the
// private keys), and every part is masked by value, in every form the
// value can take there (escaped for a URL, XML or JSON, line by line for
// a PEM key, cut by an excerpt), before it is hashed; the writer refuses
// to write a bundle in which a form is left. run.json names each secret
// masked and how many places it was found at. Signatures are kept: each
// signs one message and shows what the suite sent. See Secret.
//
// # For a plan
//
// A plan is bundled when it gives Write a conformance.Report whose
// results carry their exchanges (the headers that matter to its checks in
// WireRequest.Header and WireResponse.Header: for Complaints 2.0 the
// Wechatpay-* headers), its name and variants, and the secrets it was
// given. Write needs nothing else of it.
package evidence
