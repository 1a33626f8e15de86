package fail

import (
	"strconv"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// PointerField names the place a JSON pointer points at as the Field of
// errors does: /labels/team is labels.team, /alerts/0/labels is
// alerts[0].labels. The API and intake both name a bad value of a JSON body
// by it, so their errors read alike.
func PointerField(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.Atoi(tok); err == nil && b.Len() > 0 {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}
