package report

import (
	"context"
	"strings"

	"github.com/firebreak-oss/firebreak/internal/auth"
	"github.com/firebreak-oss/firebreak/internal/fail"
	"github.com/firebreak-oss/firebreak/internal/incident"
	"github.com/firebreak-oss/firebreak/internal/policy"
)

// SharePlan is what sharing the report now would send, shown for
// confirmation before anything goes out.
type SharePlan struct {
	Revision int `json:"revision"`
	// First is true when the report was never shared: the whole report
	// goes out. Otherwise Changes sections changed since the last share.
	First      bool            `json:"first"`
	Changes    int             `json:"changes"`
	Recipients []policy.Target `json:"recipients"`
}

// PlanShare says whom a share would reach and what it would send, and
// refuses as Share would (no recipients, nothing changed) without sending
// or recording anything.
func (s *Service) PlanShare(ctx context.Context, by auth.User, id int64) (*incident.Incident, SharePlan, error) {
	inc, err := s.Incidents.Get(ctx, by, id)
	if err != nil {
		return nil, SharePlan{}, err
	}
	if d := s.Incidents.Decide(by, incident.Change, inc); !d.Allowed {
		return nil, SharePlan{}, fail.New(fail.Forbidden, "%s", d.Reason)
	}
	r, err := s.Store.GetReport(ctx, id)
	if err != nil {
		return nil, SharePlan{}, err
	}
	targets, err := s.Recipients(ctx, inc)
	if err != nil {
		return nil, SharePlan{}, err
	}
	if len(targets) == 0 {
		return nil, SharePlan{}, fail.New(fail.Invalid, "the policy names no e-mail recipients for %s of %s; give the owning team an e-mail or add a department", inc.Grade, strings.Join(inc.Services, ", "))
	}
	if r.SharedRevision == r.Revision {
		return nil, SharePlan{}, fail.New(fail.Conflict, "revision %d was shared already; nothing changed since", r.Revision)
	}
	p := SharePlan{Revision: r.Revision, First: r.SharedRevision == 0, Recipients: targets}
	if p.First {
		p.Changes = len(s.Template().Sections)
	} else {
		previous, err := s.Store.GetRevision(ctx, id, r.SharedRevision)
		if err != nil {
			return nil, SharePlan{}, err
		}
		p.Changes = len(s.Template().Diff(previous.Sections, r.Sections, r.Lang))
	}
	return inc, p, nil
}
