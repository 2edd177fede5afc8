package scenario

// The limits of a scenario file. A file beyond one is refused with an
// error naming the limit and the value found, before it can take the
// fake's memory: without them an 80 KB file of nested brackets took the
// fake to 2.49 GB. They leave room for a world of 100,000 complaints
// (a state file of about 105 MB in YAML, 128 MB in JSON, nested 6 deep).
const (
	// MaxFileSize is the largest file read, in bytes (256 MiB).
	MaxFileSize = 256 << 20
	// MaxDepth is how deeply mappings and lists may nest, the top mapping
	// counting 1. A scenario needs 4 (complaints[0].arbitration.pic_urls);
	// a message's raw body, as the merchant sent it, a few more.
	MaxDepth = 32
	// MaxItems is how many entries one list or mapping may hold
	// (complaints, users, orders…, or the keys of a raw body).
	MaxItems = 1_000_000
)
