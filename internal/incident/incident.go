// Package incident holds Firebreak's central type, the Incident, with its
// grades, statuses, roles and append-only timeline, and the rules for changing
// them. It knows no HTTP and no SQL.
package incident

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Grade is an incident's severity, SEV1 (worst) to SEV5.
type Grade int

// The five grades.
const (
	SEV1 Grade = iota + 1
	SEV2
	SEV3
	SEV4
	SEV5
)

// ParseGrade reads "SEV2", "sev2" or "2".
func ParseGrade(s string) (Grade, error) {
	t := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "SEV")
	n, err := strconv.Atoi(t)
	if err != nil || n < int(SEV1) || n > int(SEV5) {
		return 0, fmt.Errorf("must be one of SEV1, SEV2, SEV3, SEV4, SEV5; got %q", s)
	}
	return Grade(n), nil
}

// Valid reports whether g is one of the five grades.
func (g Grade) Valid() bool { return g >= SEV1 && g <= SEV5 }

func (g Grade) String() string { return "SEV" + strconv.Itoa(int(g)) }

// MarshalText writes the grade as "SEV2".
func (g Grade) MarshalText() ([]byte, error) { return []byte(g.String()), nil }

// UnmarshalText reads the forms ParseGrade accepts.
func (g *Grade) UnmarshalText(b []byte) error {
	v, err := ParseGrade(string(b))
	if err != nil {
		return err
	}
	*g = v
	return nil
}

// UpdateInterval is how long an open incident of this grade may go without
// any update before Firebreak flags it. Worse incidents need news more often.
func (g Grade) UpdateInterval() time.Duration {
	switch g {
	case SEV1:
		return 15 * time.Minute
	case SEV2:
		return 30 * time.Minute
	case SEV3:
		return time.Hour
	case SEV4:
		return 4 * time.Hour
	default:
		return 24 * time.Hour
	}
}

// Status is where an incident stands in its handling.
type Status string

// The statuses, in their usual order.
const (
	Investigating Status = "investigating"
	Identified    Status = "identified"
	Monitoring    Status = "monitoring"
	Resolved      Status = "resolved"
	Closed        Status = "closed"
)

// Statuses lists every status in order.
var Statuses = []Status{Investigating, Identified, Monitoring, Resolved, Closed}

// transitions says which status may follow which. An incident may step back
// while it is open (a fix that did not hold), a resolved one may be reopened,
// and a closed one is final: its report and review are done.
var transitions = map[Status][]Status{
	Investigating: {Identified, Monitoring, Resolved},
	Identified:    {Investigating, Monitoring, Resolved},
	Monitoring:    {Investigating, Identified, Resolved},
	Resolved:      {Investigating, Closed},
	Closed:        nil,
}

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	_, ok := transitions[s]
	return ok
}

// Open reports whether the incident still needs handling.
func (s Status) Open() bool { return s != Resolved && s != Closed }

// NextStatuses returns the statuses s may change to.
func (s Status) NextStatuses() []Status { return transitions[s] }

// CanBecome reports whether s may change to next.
func (s Status) CanBecome(next Status) bool {
	for _, t := range transitions[s] {
		if t == next {
			return true
		}
	}
	return false
}

// Visibility says who may see an incident.
type Visibility string

// The visibilities. Restricted incidents (security incidents, say) are seen
// only by their members and by admins.
const (
	Public     Visibility = "public"
	Internal   Visibility = "internal"
	Restricted Visibility = "restricted"
)

// Valid reports whether v is a known visibility.
func (v Visibility) Valid() bool { return v == Public || v == Internal || v == Restricted }

// Role is a responsibility a person holds in one incident.
type Role string

// The incident roles. The one who communicates and the one who resolves are
// meant to be different people.
const (
	Resolver     Role = "resolver"
	Communicator Role = "communicator"
)

// Roles lists every incident role.
var Roles = []Role{Resolver, Communicator}

// Valid reports whether r is a known incident role.
func (r Role) Valid() bool { return r == Resolver || r == Communicator }

// Incident is one incident, from detection to close.
type Incident struct {
	ID             int64             `json:"-"`
	Title          string            `json:"title"`
	Summary        string            `json:"summary"`
	Grade          Grade             `json:"grade"`
	Status         Status            `json:"status"`
	Services       []string          `json:"services"`
	Source         string            `json:"source"`
	Visibility     Visibility        `json:"visibility"`
	Labels         map[string]string `json:"labels"`
	CauseTags      []string          `json:"cause_tags"`
	Roles          map[Role]string   `json:"roles"`
	Members        []string          `json:"members"`
	CreatedBy      string            `json:"created_by"`
	StartedAt      time.Time         `json:"started_at"`
	DetectedAt     time.Time         `json:"detected_at"`
	Detection      Detection         `json:"detection"` // how it was found; "" when never said
	AcknowledgedAt *time.Time        `json:"acknowledged_at"`
	MitigatedAt    *time.Time        `json:"mitigated_at"`
	ResolvedAt     *time.Time        `json:"resolved_at"`
	ClosedAt       *time.Time        `json:"closed_at"`
	CreatedAt      time.Time         `json:"created_at"`
	UpdatedAt      time.Time         `json:"updated_at"`
}

// Ref is the incident's human id, e.g. "INC-42".
func (i *Incident) Ref() string { return FormatRef(i.ID) }

// FormatRef turns an incident number into its human id.
func FormatRef(id int64) string { return "INC-" + strconv.FormatInt(id, 10) }

// ParseRef reads "INC-42", "inc-42" or "42".
func ParseRef(s string) (int64, bool) {
	t := strings.TrimPrefix(strings.ToUpper(strings.TrimSpace(s)), "INC-")
	n, err := strconv.ParseInt(t, 10, 64)
	return n, err == nil && n > 0
}

// IsMember reports whether the named user belongs to the incident.
func (i *Incident) IsMember(user string) bool {
	for _, m := range i.Members {
		if m == user {
			return true
		}
	}
	return false
}

func (i *Incident) addMember(user string) {
	if user != "" && !i.IsMember(user) {
		i.Members = append(i.Members, user)
	}
}
