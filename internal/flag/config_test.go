package flag

import (
	"strings"
	"testing"
)

func TestParseConfigErrorsNamePlace(t *testing.T) {
	src := `catalog: {}
flags:
  - key: new-payment-sheet
    service: checkout-api
    rules:
      - variant: "off"
        when:
          - {attribute: appVersion, op: semver_lt, value: five}
  - key: Bad Key
    service: checkout-api
  - key: theme
    service: nowhere
    type: string
    default: plain
    variants: {plain: plain, dark: dark}
  - key: limit
    service: checkout-api
    type: number
    default: low
    variants: {low: 10, high: "x"}
  - key: colourful
    service: checkout-api
    colour: red
`
	_, err := ParseConfig("fb.yaml", []byte(src), func(s string) bool { return s == "checkout-api" })
	if err == nil {
		t.Fatal("accepted")
	}
	for _, want := range []string{
		"fb.yaml:3:5: flags[0].rules[0].conditions[0].value: must be a semantic version",
		"fb.yaml:9:5: flags[1].key: must be 1-100 characters",
		`fb.yaml:12:14: flags[2].service: unknown service "nowhere"`,
		"fb.yaml:16:5: flags[3].variants.high: must be a number",
		"fb.yaml:23:5: flags[4].colour: unknown field",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in\n%v", want, err)
		}
	}
	defs, err := ParseConfig("fb.yaml", []byte(src[:strings.Index(src, "  - key: Bad")]+"  - key: plain\n    service: checkout-api\n"), nil)
	if err == nil {
		t.Fatalf("bad semver accepted: %+v", defs)
	}
}
