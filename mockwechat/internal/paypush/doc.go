// Package paypush is the fake WeChat Pay's Complaints 2.0 callback engine
// (投诉通知回调, docs/complaints-v3.md "Callbacks"): it makes each
// callback's envelope and encrypted resource, signs every attempt at the
// moment it is sent with the key the mode picks, POSTs it to the
// merchant's callback URL, retries on the Complaints 2.0 ladder on the
// fake's clock, sends SIGNTEST probes, carries out injected faults, and
// keeps a delivery log bounded in count and bytes. It is the V1.5 engine
// (package push) for APIv3: the same shards, holds, log and Targets dial
// check, with WeChat Pay's envelope and keys.
//
// # What a callback is
//
// The envelope is an apiv3.Notification: "id" (36 characters, made from
// Options.Seed and a counter, kept on every retry and Resend),
// "create_time" (when the callback was queued, RFC 3339 in China's zone),
// "event_type", "resource_type" encrypt-resource, "summary" (产生新投诉 or
// 投诉状态变化: the text for complaints is unstated), and "resource": the
// plaintext {"complaint_id","action_type"} (a complaints.Event, nothing
// else) sealed with AEAD_AES_256_GCM under the merchant's APIv3 key and a
// fresh 12-character nonce at each attempt, associated_data "" (as the
// complaint pages' example) and original_type "complaint" (unstated; by
// analogy with the echo callback's "security"). The headers are
// Wechatpay-Timestamp, -Nonce, -Signature, -Serial and -Signature-Type,
// Request-ID and Content-Type: application/json; the signature is over
// TIMESTAMP\nNONCE\nBODY\n by paykeys.Signing.Callback(now): one RSA
// signature per attempt (a duplicate's two requests share one).
//
// # Delivery
//
// An attempt is delivered by a 2xx answer within Options.Timeout (5 s);
// anything else is retried after Options.Retry (Ladder: 5 s, a minute ten
// times, then every 5 minutes, 1000 retries) on the fake's clock, and the
// delivery fails when the ladder is exhausted. The callbacks of one
// complaint are attempted in the order sent (one shard per complaint);
// retries do not hold back the complaint's later callbacks, as WeChat's
// do not. Each attempt's answer is judged (Attempt.Verdict) and, when the
// merchant acknowledged what a verifying merchant refuses (a probe, a
// broken signature, another key, a stale timestamp), marked
// Attempt.Wrong.
//
// A probe (Probe) is a genuine-looking callback about a complaint that
// does not exist, whose Wechatpay-Signature is WECHATPAY/SIGNTEST/ and
// random Base64: the merchant must refuse it. It is sent once.
//
// # Faults
//
// Before each attempt of a callback (not a probe) the engine asks
// Host.Fault for a Plan: drop it (not sent, counted failed), delay it
// (real time), send it twice at once, hold it until the complaint's next
// callback is sent (or the first retry delay), change a byte of its
// signature or, after signing, of its ciphertext, stamp it in the past,
// add members the merchant does not know to the envelope and the
// plaintext, change its action_type (schema drift), or sign it with a key
// the merchant does not know.
//
// # Lifecycle
//
// Reset forgets everything and goes on; Stop abandons the attempts in
// flight and returns when none of the engine's goroutines is left;
// Snapshot and Restore carry the deliveries, pending ones rescheduled on
// the fake's clock. WaitIdle is the Settle hook of a virtual clock.
//
// Lock order: Engine.mu is a leaf. The engine calls its Host, its
// scheduler, its signer and its observer without holding it. The shards
// (package shardqueue) are guarded by Engine.mu too, so that a delivery's
// queued and running marks change with its place in them; their workers
// attempt and call Options.Done without holding it.
package paypush
