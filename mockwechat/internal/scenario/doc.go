// Package scenario reads and writes the fake's scenario files: a world to
// start from (accounts, users, orders, complaints as they stand, tokens,
// media), what happens later (complaints filed and the user's and
// WeChat's moves, each at its time), the faults to inject, and where the
// virtual clock starts. A snapshot of a running fake is a scenario too.
//
// Parse reads YAML or JSON in one pass (encoding/json for JSON,
// go.yaml.in/yaml/v3's node tree for YAML), within limits of size, depth
// and counts (limits.go), checks it against the JSON Schema published as
// docs/scenario.schema.json (the same text is embedded here, compiled
// once), and decodes it; every error names the file, the line and the
// column, and says what was expected. Unknown keys and keys given twice
// are errors. Times are RFC 3339, or offsets from clock.start such as
// +36h, -30h or +2d. Compile turns a Scenario into the world's State at
// the clock's start and the entries still to come; Marshal writes one
// back, and Whole tells a file Marshal wrote from one cut short. Time and
// memory grow in proportion to the file.
package scenario
