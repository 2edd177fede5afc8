// Package money formats amounts: a package of the stand-in merchant that
// knows nothing of WeChat (its tests take no flag of the fake's).
package money

import "fmt"

// Yuan formats an amount in fen as yuan: 1234 is "12.34".
func Yuan(fen int64) string {
	sign := ""
	if fen < 0 {
		sign, fen = "-", -fen
	}
	return fmt.Sprintf("%s%d.%02d", sign, fen/100, fen%100)
}
