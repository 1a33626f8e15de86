package cli

import (
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/firebreak-oss/firebreak/internal/catalog"
	"github.com/firebreak-oss/firebreak/internal/change"
	"github.com/firebreak-oss/firebreak/internal/confyaml"
	"github.com/firebreak-oss/firebreak/internal/flag"
	"github.com/firebreak-oss/firebreak/internal/insight"
	"github.com/firebreak-oss/firebreak/internal/intake"
	"github.com/firebreak-oss/firebreak/internal/maintenance"
	"github.com/firebreak-oss/firebreak/internal/notify"
	"github.com/firebreak-oss/firebreak/internal/playbook"
	"github.com/firebreak-oss/firebreak/internal/policy"
	"github.com/firebreak-oss/firebreak/internal/report"
	"github.com/firebreak-oss/firebreak/internal/review"
	"github.com/firebreak-oss/firebreak/internal/server"
	"github.com/firebreak-oss/firebreak/internal/sso"
	"github.com/firebreak-oss/firebreak/internal/warroom"
)

// fileConfig is every section of a config file.
type fileConfig struct {
	Catalog *catalog.Catalog
	Intake  *intake.Config
	Notify  *notify.Config
	Report  *report.Config
	Policy  *policy.Policy
	Review  *review.Config
	Auth    *sso.Config
	// Playbooks is the playbooks: section: each service's remedies.
	Playbooks *playbook.Config
	Changes   *change.Config
	Flags     []flag.Switch
	Insights  *insight.Config
	// Maintenance is the maintenance: section: planned windows.
	Maintenance []maintenance.WindowInput
	WarRoom     *warroom.Config
}

// loadConfig reads every section of a config file: the catalog first, then
// the sections that may name only services the catalog has. Every error of
// every section comes back together, in file order.
func loadConfig(path string) (*fileConfig, error) {
	if err := syntaxCheck(path); err != nil {
		return nil, err
	}
	var c fileConfig
	cat, catErr := catalog.Load(path)
	services := func(name string) bool { _, ok := cat.Service(name); return ok }
	teams := func(name string) bool { _, ok := cat.Team(name); return ok }
	if catErr != nil {
		services, teams = nil, nil // no catalog to check against; report the section's own errors
	}
	c.Catalog = cat
	var inErr, notifyErr, policyErr, reviewErr, authErr error
	c.Intake, inErr = intake.LoadConfig(path, services)
	c.Notify, notifyErr = notify.LoadConfig(path)
	var reportErr error
	c.Report, reportErr = report.LoadConfig(path)
	c.Policy, policyErr = policy.LoadConfig(path, services)
	c.Review, reviewErr = review.LoadConfig(path)
	c.Auth, authErr = sso.LoadConfig(path, teams)
	var playbookErr error
	c.Playbooks, playbookErr = playbook.LoadConfig(path, services)
	var changesErr error
	c.Changes, changesErr = change.LoadConfig(path)
	var flagsErr error
	c.Flags, flagsErr = flag.LoadConfig(path, services)
	var insightsErr error
	c.Insights, insightsErr = insight.LoadConfig(path, teams)
	var warRoomErr error
	c.WarRoom, warRoomErr = warroom.LoadConfig(path, teams)
	var maintenanceErr error
	c.Maintenance, maintenanceErr = maintenance.LoadConfig(path, services)
	textErr := confyaml.CheckTextFile(path)
	var namedErr error
	if notifyErr == nil && policyErr == nil {
		// A channel the notify section leaves out is off (as for Slack); the
		// names are checked against the channels it sets up.
		namedErr = c.Policy.CheckNamedTargets(func(ch policy.Channel, name string) bool {
			return !c.Notify.Sets(notify.Channel(ch)) || c.Notify.HasTarget(notify.Channel(ch), name)
		})
	}
	errs := []error{catErr, inErr, notifyErr, reportErr, policyErr, reviewErr, authErr, playbookErr, changesErr, flagsErr, insightsErr, namedErr, textErr, maintenanceErr,
		warRoomErr}
	if errors.Join(errs...) == nil {
		return &c, nil
	}
	var all catalog.Errors
	for _, err := range errs {
		var es catalog.Errors
		if errors.As(err, &es) {
			all = append(all, es...)
		} else if err != nil {
			return nil, err
		}
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].Line < all[j].Line })
	return nil, all
}

// apply hands the sections to the server's options.
func (c *fileConfig) apply(o *server.Options) {
	o.Catalog, o.Intake, o.Notify = c.Catalog, c.Intake, c.Notify
	o.Report, o.Policy = c.Report, c.Policy
	o.Review = c.Review
	o.Auth = c.Auth
	o.Playbooks = c.Playbooks
	o.Changes = c.Changes
	o.Flags = c.Flags
	o.Insights = c.Insights
	o.Maintenance = c.Maintenance
	o.WarRoom = c.WarRoom
}

// summary says what the file sets up, for check-config.
func (c *fileConfig) summary() string {
	parts := []string{
		fmt.Sprintf("%d teams, %d services, %d intake routes, %d mail rules", len(c.Catalog.Teams()), len(c.Catalog.Services()),
			len(c.Intake.Routes), len(c.Intake.Email)),
	}
	var channels []string
	if c.Notify.Email != nil {
		channels = append(channels, "e-mail")
	}
	if c.Notify.Slack != nil {
		channels = append(channels, "Slack")
	}
	if c.Notify.Teams != nil {
		channels = append(channels, fmt.Sprintf("Microsoft Teams (%d channels)", len(c.Notify.Teams.Channels)))
	}
	if c.Notify.LineWorks != nil {
		channels = append(channels, fmt.Sprintf("LINE WORKS (%d targets)", len(c.Notify.LineWorks.Targets)))
	}
	if len(channels) == 0 {
		channels = append(channels, "none")
	}
	parts = append(parts, "outbound channels: "+strings.Join(channels, ", "),
		fmt.Sprintf("policy: %d departments, %d partners", len(c.Policy.Departments), len(c.Policy.Partners)))
	parts = append(parts, fmt.Sprintf("%d report sections", len(c.Report.Template.Sections)))
	if t := c.Review.DefaultTracker; t != "" {
		parts = append(parts, "action items filed in "+string(t))
	}
	if ch := c.Changes; ch != nil {
		parts = append(parts, fmt.Sprintf("changes shown %s before an incident, not rollbackable with labels %s (GitHub hook %s, change hook %s)",
			ch.Window, strings.Join(ch.Rules.Labels, ", "), onOff(ch.GitHubSecret), onOff(ch.WebhookSecret)))
	}
	if len(c.Maintenance) > 0 {
		parts = append(parts, fmt.Sprintf("%d maintenance windows", len(c.Maintenance)))
	}
	if len(c.Flags) > 0 {
		parts = append(parts, fmt.Sprintf("%d kill switches", len(c.Flags)))
	}
	if d := c.Insights.Digest; d.Enabled {
		parts = append(parts, fmt.Sprintf("monthly insights digest on day %d at %02d:00 (%s)", d.Day, d.Hour, d.Language))
	}
	if w := c.WarRoom; w != nil {
		parts = append(parts, fmt.Sprintf("war rooms on %s for %d grades, named %s, archived %s after close", w.Provider, len(w.Grades), w.NamePattern, w.ArchiveAfter))
	}
	if c.Auth.OIDC != nil {
		parts = append(parts, fmt.Sprintf("single sign-on through %s with %d group rules", c.Auth.OIDC.Issuer, len(c.Auth.OIDC.Groups)))
	}
	if n, actions := c.Playbooks.Count(); n > 0 {
		parts = append(parts, fmt.Sprintf("%d playbooks with %d action steps", n, actions))
	}
	return strings.Join(parts, "; ")
}

// onOff says whether a hook with this secret is on.
func onOff(secret string) string {
	if secret == "" {
		return "off"
	}
	return "on"
}

// syntaxCheck parses the file once before the sections do. A file that is
// not YAML gets one error, placed on its first broken line, instead of one
// per section: each section would report the same error, and placing it
// costs a parse per line, which made a broken file (or a fuzzer's input)
// take seconds to refuse.
func syntaxCheck(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return catalog.Errors{confyaml.SyntaxError(path, data, err)}
	}
	return nil
}
