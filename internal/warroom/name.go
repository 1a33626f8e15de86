package warroom

import (
	"strconv"
	"strings"
	"unicode"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// maxChannelName is Slack's limit on a channel name.
const maxChannelName = 80

// ChannelName names an incident's channel by pattern. Slack takes lower
// case letters, digits, hyphens and underscores, at most 80 characters;
// everything else becomes a hyphen. A title with no Latin letter or digit
// (a Korean one, say) gives no slug, so the first service stands in.
func ChannelName(pattern string, inc *incident.Incident) string {
	service := ""
	if len(inc.Services) > 0 {
		service = inc.Services[0]
	}
	slug := slugify(inc.Title)
	if slug == "" {
		slug = slugify(service)
	}
	name := strings.NewReplacer(
		"{number}", strconv.FormatInt(inc.ID, 10),
		"{slug}", slug,
		"{service}", slugify(service),
		"{grade}", strings.ToLower(inc.Grade.String()),
	).Replace(pattern)
	name = slugify(name)
	if name == "" {
		name = "inc-" + strconv.FormatInt(inc.ID, 10)
	}
	if len(name) > maxChannelName {
		name = strings.TrimRight(name[:maxChannelName], "-_")
	}
	return name
}

// slugify keeps ASCII letters (lowered), digits and underscores, and turns
// every run of anything else into one hyphen, trimmed at both ends.
func slugify(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r < unicode.MaxASCII && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			b.WriteRune(r)
			dash = false
			continue
		}
		dash = true
	}
	return b.String()
}
