package insight

import (
	"fmt"
	"regexp"
	"strconv"
	"time"

	"github.com/firebreak-oss/firebreak/internal/fail"
)

// Period is a half-open span of time [From, To) named the way people ask
// for it: a year (2026), a quarter (2026-Q3), a month (2026-11), the last
// n days (last-90d) or any run of whole days (2026-07-15..2026-08-31, both
// days included). Years, quarters and months begin at midnight in the
// organisation's time zone, so "2026-11" in Asia/Seoul starts at
// 2026-10-31T15:00Z.
type Period struct {
	Name string    `json:"name"`
	From time.Time `json:"from"`
	To   time.Time `json:"to"`
}

// DefaultPeriod is the period shown when none is asked for: a year, so the
// trends have something to show.
const DefaultPeriod = "last-365d"

// MaxDays bounds a period, so one question cannot ask for all of history.
const MaxDays = 3 * 366

var (
	yearPattern    = regexp.MustCompile(`^(\d{4})$`)
	quarterPattern = regexp.MustCompile(`^(\d{4})-[Qq]([1-4])$`)
	monthPattern   = regexp.MustCompile(`^(\d{4})-(\d{2})$`)
	lastPattern    = regexp.MustCompile(`^last-(\d{1,4})d$`)
	rangePattern   = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$`)
)

// ParsePeriod reads a period name; now and zone place "last-n days" and the
// calendar periods. A bad name is an invalid "period" field.
func ParsePeriod(name string, now time.Time, zone *time.Location) (Period, error) {
	if name == "" {
		name = DefaultPeriod
	}
	if zone == nil {
		zone = time.UTC
	}
	p := Period{Name: name}
	switch {
	case yearPattern.MatchString(name):
		y, _ := strconv.Atoi(name)
		p.From = time.Date(y, 1, 1, 0, 0, 0, 0, zone)
		p.To = p.From.AddDate(1, 0, 0)
	case quarterPattern.MatchString(name):
		m := quarterPattern.FindStringSubmatch(name)
		y, _ := strconv.Atoi(m[1])
		q, _ := strconv.Atoi(m[2])
		p.Name = fmt.Sprintf("%d-Q%d", y, q)
		p.From = time.Date(y, time.Month(3*(q-1)+1), 1, 0, 0, 0, 0, zone)
		p.To = p.From.AddDate(0, 3, 0)
	case monthPattern.MatchString(name):
		m := monthPattern.FindStringSubmatch(name)
		y, _ := strconv.Atoi(m[1])
		mo, _ := strconv.Atoi(m[2])
		if mo < 1 || mo > 12 {
			return Period{}, fail.Field("period", "month must be 01 to 12; got %q", name)
		}
		p.From = time.Date(y, time.Month(mo), 1, 0, 0, 0, 0, zone)
		p.To = p.From.AddDate(0, 1, 0)
	case lastPattern.MatchString(name):
		n, _ := strconv.Atoi(lastPattern.FindStringSubmatch(name)[1])
		if n < 1 || n > MaxDays {
			return Period{}, fail.Field("period", "last-Nd must have N from 1 to %d; got %q", MaxDays, name)
		}
		// Whole days in the organisation's zone, ending with today.
		today := now.In(zone)
		end := time.Date(today.Year(), today.Month(), today.Day()+1, 0, 0, 0, 0, zone)
		p.From = end.AddDate(0, 0, -n)
		p.To = end
	case rangePattern.MatchString(name):
		m := rangePattern.FindStringSubmatch(name)
		first, err1 := time.ParseInLocation("2006-01-02", m[1], zone)
		last, err2 := time.ParseInLocation("2006-01-02", m[2], zone)
		if err1 != nil || err2 != nil {
			return Period{}, fail.Field("period", "names a day that does not exist: %q", name)
		}
		if last.Before(first) {
			return Period{}, fail.Field("period", "ends before it starts: %q", name)
		}
		// The last day is included: the period ends at the next midnight.
		p.From, p.To = first, time.Date(last.Year(), last.Month(), last.Day()+1, 0, 0, 0, 0, zone)
		if p.To.Sub(p.From) > MaxDays*24*time.Hour+time.Hour { // an hour for a daylight-saving change
			return Period{}, fail.Field("period", "spans more than %d days: %q", MaxDays, name)
		}
	default:
		return Period{}, fail.Field("period", "must be a year (2026), quarter (2026-Q3), month (2026-11), last-Nd (last-90d) or days FROM..TO (2026-07-15..2026-08-31); got %q", name)
	}
	p.From, p.To = p.From.UTC(), p.To.UTC()
	return p, nil
}

// Bucket is how counts over time are grouped.
type Bucket string

// The buckets.
const (
	Month   Bucket = "month"
	Quarter Bucket = "quarter"
)

// ParseBucket reads a bucket name; "" is Month.
func ParseBucket(s string) (Bucket, error) {
	switch Bucket(s) {
	case "", Month:
		return Month, nil
	case Quarter:
		return Quarter, nil
	}
	return "", fail.Field("bucket", "must be month or quarter; got %q", s)
}

// bucketStart is the start of the bucket holding t, in zone.
func bucketStart(t time.Time, b Bucket, zone *time.Location) time.Time {
	l := t.In(zone)
	m := l.Month()
	if b == Quarter {
		m = time.Month((int(m)-1)/3*3 + 1)
	}
	return time.Date(l.Year(), m, 1, 0, 0, 0, 0, zone)
}

// bucketLabel names a bucket: 2026-11 or 2026-Q4.
func bucketLabel(start time.Time, b Bucket) string {
	if b == Quarter {
		return fmt.Sprintf("%d-Q%d", start.Year(), (int(start.Month())-1)/3+1)
	}
	return start.Format("2006-01")
}

// buckets lists the buckets that p touches, in order.
func buckets(p Period, b Bucket, zone *time.Location) []time.Time {
	var out []time.Time
	step := 1
	if b == Quarter {
		step = 3
	}
	for s := bucketStart(p.From, b, zone); s.Before(p.To); s = s.AddDate(0, step, 0) {
		out = append(out, s)
	}
	return out
}
