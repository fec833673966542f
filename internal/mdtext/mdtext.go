// Package mdtext escapes text for Markdown, for the pages of the
// documentation that are rendered from the code (the wire formats).
package mdtext

import "strings"

// special are the characters Markdown may read as markup: HTML, emphasis,
// code spans, escapes and table cells.
var special = strings.NewReplacer(`\`, `\\`, "<", `\<`, ">", `\>`, "*", `\*`, "_", `\_`, "`", "\\`", "|", `\|`)

// Escape returns s as Markdown text that renders as s, character for
// character, also inside a table cell.
func Escape(s string) string { return special.Replace(s) }
