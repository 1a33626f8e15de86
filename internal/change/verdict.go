package change

import (
	"fmt"
	"strings"
)

// Rules decide the rollback verdict of a change from its labels and kind.
type Rules struct {
	// Labels mark a pull request as not rollbackable, compared without
	// regard to case.
	Labels []string
	// NotRollbackableKinds are kinds that are never rolled back by
	// redeploying the previous version (a schema migration, say).
	NotRollbackableKinds []Kind
}

// DefaultRules are the rules of a config file without a changes section.
func DefaultRules() Rules {
	return Rules{Labels: []string{"not-rollbackable", "no-rollback", "롤백불가"}, NotRollbackableKinds: []Kind{KindMigration}}
}

// BlockingLabel returns the first of labels the rules name, as written on
// the pull request, or "".
func (r Rules) BlockingLabel(labels []string) string {
	for _, l := range labels {
		for _, want := range r.Labels {
			if strings.EqualFold(strings.TrimSpace(l), want) {
				return l
			}
		}
	}
	return ""
}

// Decide sets c's verdict from its labels and kind, unless a person already
// said it is not rollbackable: what people say wins over the rules.
func (r Rules) Decide(c *Change) {
	if !c.Verdict.Rollbackable && c.Verdict.Reason != "" {
		return
	}
	if l := r.BlockingLabel(c.Labels); l != "" {
		pr := c.PRLink()
		c.Verdict = Verdict{Reason: fmt.Sprintf("%s is labelled %q", prName(c), l), PR: pr, Label: l}
		return
	}
	for _, k := range r.NotRollbackableKinds {
		if c.Kind == k {
			c.Verdict = Verdict{Reason: fmt.Sprintf("changes of kind %s are configured as not rollbackable", k), PR: c.PRLink()}
			return
		}
	}
	c.Verdict = Safe
}

// prName names the change's pull request for a reason: "PR #12 (title)".
func prName(c *Change) string {
	name := "the change"
	if link := c.PRLink(); link != "" {
		if i := strings.LastIndex(link, "/pull/"); i >= 0 {
			name = "PR #" + link[i+len("/pull/"):]
		}
	}
	if c.Title != "" {
		name += " (" + c.Title + ")"
	}
	return name
}

// Inherit gives a deploy the verdict of the first not rollbackable change
// among those it carries (merged pull requests); a deploy already blocked
// keeps its own reason.
func Inherit(deploy *Change, carried []Change) {
	if !deploy.Verdict.Rollbackable {
		return
	}
	for _, c := range carried {
		if !c.Verdict.Rollbackable {
			v := c.Verdict // its reason names the PR and label already
			if v.PR == "" {
				v.PR = c.PRLink()
			}
			deploy.Verdict = v
			return
		}
	}
}
