package policy

import (
	"time"

	"github.com/firebreak-oss/firebreak/internal/incident"
)

// UpdateEvery is how often an open incident of grade g owes its status
// update: the grade's update_every, or incident.Grade.UpdateInterval when
// the policy names none. The stale check and the incident page use it.
func (p *Policy) UpdateEvery(g incident.Grade) time.Duration {
	if p != nil {
		if d := p.Grades[g].UpdateEvery; d > 0 {
			return d
		}
	}
	return g.UpdateInterval()
}
