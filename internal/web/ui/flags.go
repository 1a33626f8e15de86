package ui

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/flag"
)

// flagRoutes serve the kill switches: the list and each switch's page with
// its rules and revisions for everyone, the flip form for the owning
// team's responders and admins.
func (u *UI) flagRoutes(signedIn func(string, func(http.ResponseWriter, *http.Request, *view))) {
	signedIn("GET /flags", u.listFlags)
	signedIn("GET /flags/{key}", u.showFlag)
	signedIn("POST /flags/{key}/flip", u.flipFlag)
}

type flagsPage struct {
	Service  string
	Switches []flag.Switch
	Left     []flag.Switch // left flipped after their incident closed
}

func (u *UI) listFlags(w http.ResponseWriter, r *http.Request, v *view) {
	service := strings.TrimSpace(r.URL.Query().Get("service"))
	var services []string
	if service != "" {
		services = []string{service}
	}
	list, err := u.Flags.List(r.Context(), v.User, services)
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := flagsPage{Service: service, Switches: list}
	if service == "" {
		if p.Left, err = u.Flags.LeftFlipped(r.Context()); err != nil {
			u.fail(w, r, v, err)
			return
		}
	}
	u.render(w, r, "flags", v, p)
}

type flagPage struct {
	Switch    flag.Switch
	Variants  []flagVariant
	Revisions []flag.Revision
	CanFlip   bool
	Form      url.Values
	Error     string
}

// flagVariant is a variant as the page lists it.
type flagVariant struct {
	Name    string
	Value   string // as JSON
	Default bool
	Served  bool // served to everyone now (flipped to it)
}

func (u *UI) showFlag(w http.ResponseWriter, r *http.Request, v *view) {
	u.renderFlag(w, r, v, url.Values{}, nil)
}

func (u *UI) renderFlag(w http.ResponseWriter, r *http.Request, v *view, form url.Values, formErr error) {
	s, revs, err := u.Flags.Get(r.Context(), v.User, r.PathValue("key"))
	if err != nil {
		u.fail(w, r, v, err)
		return
	}
	p := flagPage{Switch: s, Revisions: revs, CanFlip: u.Flags.MayChange(v.User, s.Service), Form: form}
	for _, name := range s.VariantNames() {
		b, _ := json.Marshal(s.Variants[name])
		p.Variants = append(p.Variants, flagVariant{Name: name, Value: string(b), Default: name == s.DefaultVariant, Served: name == s.State})
	}
	if formErr != nil {
		var ok bool
		if p.Error, ok = u.formProblem(w, r, v, formErr); !ok {
			return
		}
	}
	u.render(w, r, "flag", v, p)
}

func (u *UI) flipFlag(w http.ResponseWriter, r *http.Request, v *view) {
	key := r.PathValue("key")
	req := flag.FlipRequest{To: r.PostFormValue("to"), Reason: r.PostFormValue("reason"), Incident: r.PostFormValue("incident")}
	flip := u.Flags.Flip
	if u.Switches != nil { // a flip naming an incident goes on its timeline
		flip = u.Switches.FlipNamed
	}
	if _, _, err := flip(r.Context(), v.User, key, req); err != nil {
		u.renderFlag(w, r, v, r.PostForm, err)
		return
	}
	http.Redirect(w, r, "/flags/"+url.PathEscape(key), http.StatusSeeOther)
}

// RuleText writes a rule for people: "off when platform = ios and
// appVersion < 5.2.0".
func (v *view) RuleText(rule flag.Rule) string {
	conds := make([]string, len(rule.Conditions))
	for i, c := range rule.Conditions {
		value := c.Value
		if c.Op == flag.OpIn || c.Op == flag.OpNotIn {
			value = strings.Join(c.Values, ", ")
		}
		conds[i] = c.Attribute + " " + v.T("flagop."+string(c.Op)) + " " + value
	}
	return v.T("flags.rule", rule.Variant, strings.Join(conds, v.T("flags.and")))
}

// RevisionText says what a revision changed.
func (v *view) RevisionText(rev flag.Revision) string {
	if rev.Kind == flag.KindFlip {
		return v.T("flags.rev.flip", rev.From, rev.To)
	}
	return v.T("flags.rev." + rev.Kind)
}
