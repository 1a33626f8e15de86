package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/firebreak-oss/firebreak/internal/flag"
)

func newFlagCmd() *cobra.Command {
	return apiCommand(&cobra.Command{Use: "flag", Short: "Kill switches served to apps over OpenFeature (talks to a running server)"},
		newFlagListCmd, newFlagShowCmd, newFlagCreateCmd, newFlagFlipCmd)
}

// flagDoc is a switch as the API sends it.
type flagDoc struct {
	flag.Switch
	State   string `json:"state"`
	Flipped bool   `json:"flipped"`
}

func flagPath(key string, sub ...string) string {
	p := apiPrefix + "/flags/" + url.PathEscape(key)
	for _, s := range sub {
		p += "/" + s
	}
	return p
}

// switchFlags names the flag behind each request field, so a refusal points
// at what to fix.
var switchFlags = map[string]string{"to": "--to", "reason": "--reason", "incident": "--incident", "service": "--service",
	"type": "--type", "default_variant": "--default", "description": "--description", "key": "KEY"}

// switchFlag is the flag behind a request field, "" for none.
func switchFlag(field string) string {
	switch {
	case strings.HasPrefix(field, "variants"):
		return "--variant"
	case strings.HasPrefix(field, "rules"):
		return "--rule"
	}
	return switchFlags[field]
}

func newFlagListCmd(f *apiFlags) *cobra.Command {
	var services []string
	cmd := &cobra.Command{
		Use:   "list [--service NAME]...",
		Short: "List kill switches and their state",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			q := url.Values{"service": services}
			path := apiPrefix + "/flags"
			if len(services) > 0 {
				path += "?" + q.Encode()
			}
			return call(cmd, f, "GET", path, nil, func(out io.Writer, body struct{ Items []flagDoc }) error {
				t := newTable(out)
				t.row("KEY", "SERVICE", "TYPE", "STATE", "DEFAULT", "INCIDENT", "VERSION")
				for _, s := range body.Items {
					state := s.State
					if !s.Enabled {
						state += " (disabled)"
					}
					t.row(s.Key, s.Service, string(s.Type), state, s.DefaultVariant, orDash(s.Incident), strconv.FormatInt(s.Version, 10))
				}
				return t.flush()
			})
		},
	}
	cmd.Flags().StringArrayVar(&services, "service", nil, "only this service's switches (repeat for several)")
	return cmd
}

func newFlagShowCmd(f *apiFlags) *cobra.Command {
	return &cobra.Command{
		Use:   "show KEY",
		Short: "Show a switch, its variants and rules, and its revisions",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			type shown struct {
				flagDoc
				Revisions []flag.Revision `json:"revisions"`
			}
			return call(cmd, f, "GET", flagPath(args[0]), nil, func(out io.Writer, s shown) error {
				fmt.Fprintf(out, "%s  (%s, service %s, %s, version %d)\n", s.Key, s.Type, s.Service, s.Source, s.Version)
				if s.Description != "" {
					fmt.Fprintf(out, "  %s\n", s.Description)
				}
				fmt.Fprintf(out, "State: %s", s.State)
				if s.Incident != "" {
					fmt.Fprintf(out, " (flipped during %s)", s.Incident)
				}
				if !s.Enabled {
					fmt.Fprint(out, " (disabled: serves the default to everyone)")
				}
				fmt.Fprintln(out)
				fmt.Fprintln(out, "Variants:")
				for _, name := range s.VariantNames() {
					mark := ""
					if name == s.DefaultVariant {
						mark = "  (default)"
					}
					v, _ := json.Marshal(s.Variants[name])
					fmt.Fprintf(out, "  %s = %s%s\n", name, v, mark)
				}
				for i, r := range s.Rules {
					fmt.Fprintf(out, "Rule %d: %s\n", i+1, formatRule(r))
				}
				fmt.Fprintln(out, "Revisions:")
				t := newTable(out)
				t.row("VERSION", "AT", "BY", "KIND", "FROM", "TO", "INCIDENT", "REASON")
				for _, r := range s.Revisions {
					from, to := r.From, r.To
					if r.Kind != flag.KindFlip {
						from, to = "…", "(definition)"
					}
					t.row(strconv.FormatInt(r.Version, 10), r.At.Format(time.RFC3339), r.Actor, r.Kind, from, to, orDash(r.Incident), orDash(r.Reason))
				}
				return t.flush()
			})
		},
	}
}

// formatRule writes a rule the way --rule reads it.
func formatRule(r flag.Rule) string {
	conds := make([]string, len(r.Conditions))
	for i, c := range r.Conditions {
		v := c.Value
		if c.Op == flag.OpIn || c.Op == flag.OpNotIn {
			v = strings.Join(c.Values, ",")
		}
		conds[i] = c.Attribute + " " + string(c.Op) + " " + v
	}
	return r.Variant + " if " + strings.Join(conds, " and ")
}

// parseRule reads "off if platform eq ios and appVersion semver_lt 5.2.0";
// in and not_in take a comma list.
func parseRule(s string) (flag.Rule, error) {
	variant, rest, ok := strings.Cut(s, " if ")
	if !ok {
		return flag.Rule{}, fmt.Errorf("%q: write VARIANT if ATTRIBUTE OP VALUE [and …]", s)
	}
	r := flag.Rule{Variant: strings.TrimSpace(variant)}
	for _, part := range strings.Split(rest, " and ") {
		fields := strings.Fields(part)
		if len(fields) != 3 {
			return flag.Rule{}, fmt.Errorf("%q: each condition is ATTRIBUTE OP VALUE", part)
		}
		c := flag.Condition{Attribute: fields[0], Op: flag.Op(fields[1])}
		if c.Op == flag.OpIn || c.Op == flag.OpNotIn {
			c.Values = strings.Split(fields[2], ",")
		} else {
			c.Value = fields[2]
		}
		r.Conditions = append(r.Conditions, c)
	}
	return r, nil
}

// parseVariant reads NAME=VALUE, the value as the switch's type says.
func parseVariant(t flag.Type, s string) (string, any, error) {
	name, raw, ok := strings.Cut(s, "=")
	if !ok {
		return "", nil, fmt.Errorf("%q: write NAME=VALUE", s)
	}
	switch t {
	case flag.Boolean, "":
		b, err := strconv.ParseBool(raw)
		if err != nil {
			return "", nil, fmt.Errorf("%q: a boolean switch's values are true or false", s)
		}
		return name, b, nil
	case flag.Number:
		n, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			return "", nil, fmt.Errorf("%q: a number switch's values are numbers", s)
		}
		return name, n, nil
	}
	return name, raw, nil
}

func newFlagCreateCmd(f *apiFlags) *cobra.Command {
	var def flag.Definition
	var typ string
	var variants, rules []string
	var fromFile string
	var disabled bool
	cmd := &cobra.Command{
		Use:   "create KEY --service NAME [flags]",
		Short: "Create a switch (the responders of the team owning the service, and admins, may)",
		Example: `  firebreak flag create new-payment-sheet --service checkout-api --description "New payment sheet" \
      --rule "off if platform eq ios and appVersion semver_lt 5.2.0"
  firebreak flag create checkout-theme --service checkout-api --type string --variant classic=classic \
      --variant compact=compact --default classic --rule "compact if country in KR,JP"
  firebreak flag create limits --from-file limits.json`,
		Args: cobra.RangeArgs(0, 1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if fromFile != "" {
				data, err := os.ReadFile(fromFile)
				if err != nil {
					return fmt.Errorf("--from-file: %w", err)
				}
				if err := json.Unmarshal(data, &def); err != nil {
					return fmt.Errorf("--from-file: %s is not a switch definition in JSON: %w", fromFile, err)
				}
			}
			if len(args) == 1 {
				def.Key = args[0]
			}
			if def.Key == "" {
				return errors.New("KEY: name the switch")
			}
			if typ != "" {
				def.Type = flag.Type(typ)
			}
			for _, v := range variants {
				name, value, err := parseVariant(def.Type, v)
				if err != nil {
					return fmt.Errorf("--variant: %w", err)
				}
				if def.Variants == nil {
					def.Variants = map[string]any{}
				}
				def.Variants[name] = value
			}
			for _, s := range rules {
				r, err := parseRule(s)
				if err != nil {
					return fmt.Errorf("--rule: %w", err)
				}
				def.Rules = append(def.Rules, r)
			}
			if disabled {
				off := false
				def.Enabled = &off
			}
			return callAs(cmd, f, "POST", apiPrefix+"/flags", def, pointAt("create switch", switchFlag), func(out io.Writer, s flagDoc) error {
				_, err := fmt.Fprintf(out, "Created switch %s of %s (%s, default %s).\n", s.Key, s.Service, s.Type, s.DefaultVariant)
				return err
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&def.Service, "service", "", "the service the switch belongs to (required unless in --from-file)")
	fl.StringVar(&def.Description, "description", "", "what turning it off does")
	fl.StringVar(&typ, "type", "", "boolean (default), string or number")
	fl.StringArrayVar(&variants, "variant", nil, "NAME=VALUE (repeat; a boolean switch has on=true and off=false unless given)")
	fl.StringVar(&def.DefaultVariant, "default", "", "the variant served when no rule matches (on for a boolean switch)")
	fl.StringArrayVar(&rules, "rule", nil, `"VARIANT if ATTRIBUTE OP VALUE [and …]", tried in order; ops: eq ne in not_in starts_with semver_lt semver_le semver_gt semver_ge semver_eq`)
	fl.StringVar(&fromFile, "from-file", "", "read the definition from a JSON file (as POST /api/v1/flags takes)")
	fl.BoolVar(&disabled, "disabled", false, "create it disabled (serves the default to everyone)")
	return cmd
}

func newFlagFlipCmd(f *apiFlags) *cobra.Command {
	var req flag.FlipRequest
	cmd := &cobra.Command{
		Use:   "flip KEY --to VARIANT|default --reason TEXT [--incident INC-7]",
		Short: "Serve one variant to everyone (or the definition again with --to default); recorded with your reason",
		Example: `  firebreak flag flip new-payment-sheet --to off --reason "결제 시트 오류 급증 payment sheet errors" --incident INC-7
  firebreak flag flip new-payment-sheet --to default --reason "fix released in 5.2.1"`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return callAs(cmd, f, "POST", flagPath(args[0], "flip"), req, pointAt("flip switch", switchFlag), func(out io.Writer, body struct {
				Flag     flagDoc       `json:"flag"`
				Revision flag.Revision `json:"revision"`
			}) error {
				_, err := fmt.Fprintf(out, "Flipped %s from %s to %s (version %d).\n", body.Flag.Key, body.Revision.From, body.Revision.To, body.Revision.Version)
				return err
			})
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&req.To, "to", "", "a variant, or default to serve the definition again (required)")
	fl.StringVar(&req.Reason, "reason", "", "why (required; kept in the switch's revisions and the audit log)")
	fl.StringVar(&req.Incident, "incident", "", "the incident this flip is made during, e.g. INC-7")
	_ = cmd.MarkFlagRequired("to")
	_ = cmd.MarkFlagRequired("reason")
	return cmd
}
