// Package paypush is the fake WeChat Pay's Complaints 2.0 callback engine:
// it builds each callback's envelope and encrypted resource, signs every
// attempt afresh with the key the mode picks, POSTs it to the merchant's
// callback URL, retries on the Complaints 2.0 ladder on the fake's clock,
// sends SIGNTEST probes, carries out injected faults, and keeps a
// delivery log bounded in count and bytes.
package paypush
