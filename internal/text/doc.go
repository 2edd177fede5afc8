// Package text shortens, measures and escapes text for people to read:
// log lines, console pages, CLI tables, reports. It is the one place the
// kit cuts or pads a string, so Chinese text (a complaint's reason, a
// user's message) is never cut mid-character and columns holding it line
// up, and so text a peer sent (a merchant's answer, a user's message)
// cannot move a terminal's cursor or break an XML report.
//
//   - Clip bounds a string in bytes, cutting at a rune boundary.
//   - Width, ClipWidth and Pad measure and fit display columns (CJK
//     characters take two).
//   - Terminal and XML escape what must not reach a terminal or an XML
//     document as it is.
package text
