package main

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// scenario is one shape of alert traffic.
type scenario struct {
	Name string
	// Batch is the number of alerts in each request.
	Batch int
	// Set is the number of fingerprints the alerts cycle through; 0 means
	// every alert is a new one.
	Set int
}

// scenarios are the shapes measured. An alert storm (distinct) makes a new
// signal of nearly every alert; a long-running outage (repeat) sends the same
// alerts again and again. The repeat set of the 100-alert scenario is 100, not
// 50: Alertmanager never puts one alert twice into a notification, so a
// 100-alert repeat is one group of 100 alerts re-sent whole.
var scenarios = []scenario{
	{Name: "1x-distinct", Batch: 1},
	{Name: "1x-repeat50", Batch: 1, Set: 50},
	{Name: "100x-distinct", Batch: 100},
	{Name: "100x-repeat100", Batch: 100, Set: 100},
}

// fingerprintsLabel describes how a scenario picks fingerprints.
func (s scenario) fingerprintsLabel() string {
	if s.Set == 0 {
		return "distinct"
	}
	return "repeat of " + strconv.Itoa(s.Set)
}

// key returns the alert key of the j-th alert of request n. Requests are
// numbered from 0 without gaps, so the keys sent are known from the count.
func (s scenario) key(n, j int) int {
	k := n*s.Batch + j
	if s.Set > 0 {
		k %= s.Set
	}
	return k
}

// distinct returns how many fingerprints the first n requests carried.
func (s scenario) distinct(n int) int {
	if s.Set > 0 {
		return min(n*s.Batch, s.Set)
	}
	return n * s.Batch
}

// Placeholders in the JSON templates; they need no escaping in JSON, so
// json.Marshal leaves them as they are.
const (
	keyMark = "@@KEY@@"
	fpMark  = "@@FP@@"
)

// template is JSON with holes for an alert's key and fingerprint, cut into
// the fixed text between the holes.
type template struct {
	parts []string
	holes []string // keyMark or fpMark, one fewer than parts
}

func newTemplate(v any) template {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	var t template
	s := string(b)
	for {
		i, j := strings.Index(s, keyMark), strings.Index(s, fpMark)
		if i < 0 && j < 0 {
			t.parts = append(t.parts, s)
			return t
		}
		mark := keyMark
		if i < 0 || (j >= 0 && j < i) {
			i, mark = j, fpMark
		}
		t.parts = append(t.parts, s[:i])
		t.holes = append(t.holes, mark)
		s = s[i+len(mark):]
	}
}

func (t template) append(b []byte, key int, fp string) []byte {
	for i, p := range t.parts {
		b = append(b, p...)
		if i < len(t.holes) {
			if t.holes[i] == keyMark {
				b = strconv.AppendInt(b, int64(key), 10)
			} else {
				b = append(b, fp...)
			}
		}
	}
	return b
}

// payloads builds request bodies for one scenario: the webhook notification
// Alertmanager sends to Firebreak, and the alerts Prometheus posts to
// Alertmanager, carrying the same alerts.
type payloads struct {
	sc        scenario
	labels    func(key int) map[string]string
	fp        fingerprinter
	hookHead  template // up to the alerts array; holds the first alert's key for one-alert requests
	hookAlert template
	hookTail  template
	apiAlert  template
}

func newPayloads(sc scenario, run string, startsAt time.Time, externalURL string) *payloads {
	labels := func(key string) map[string]string {
		return map[string]string{
			"alertname": "IntakeLoad", "service": "checkout-api", "severity": "critical", "job": "node",
			"instance": "host-" + key + ":9100", "scenario": sc.Name, "run": run,
		}
	}
	annotations := map[string]string{
		"summary":     "checkout-api p99 latency above 2s on host-" + keyMark,
		"description": "결제 API 지연: p99 latency has been above 2s for 5 minutes; users see slow checkouts.",
		"runbook_url": "https://runbooks.example/checkout-api/latency",
	}
	generatorURL := "http://prometheus.example:9090/graph?g0.expr=histogram_quantile%280.99%2C+checkout_latency_seconds%29+%3E+2"
	// Field order follows Alertmanager 0.25's webhook notifier (template.Data,
	// then webhook.Message) so the bytes match what it sends.
	type hookAlert struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     string            `json:"startsAt"`
		EndsAt       string            `json:"endsAt"`
		GeneratorURL string            `json:"generatorURL"`
		Fingerprint  string            `json:"fingerprint"`
	}
	type hookMessage struct {
		Receiver          string            `json:"receiver"`
		Status            string            `json:"status"`
		Alerts            []hookAlert       `json:"alerts"`
		GroupLabels       map[string]string `json:"groupLabels"`
		CommonLabels      map[string]string `json:"commonLabels"`
		CommonAnnotations map[string]string `json:"commonAnnotations"`
		ExternalURL       string            `json:"externalURL"`
		Version           string            `json:"version"`
		GroupKey          string            `json:"groupKey"`
		TruncatedAlerts   int               `json:"truncatedAlerts"`
	}
	// Common labels and annotations are those every alert of the request
	// shares: all of them for one alert, all but the per-host ones for more.
	common, commonAnn := labels(keyMark), annotations
	if sc.Batch > 1 {
		common = labels("")
		delete(common, "instance")
		commonAnn = map[string]string{"description": annotations["description"], "runbook_url": annotations["runbook_url"]}
	}
	msg := hookMessage{
		Receiver: "firebreak", Status: "firing", Alerts: []hookAlert{},
		GroupLabels: map[string]string{"alertname": "IntakeLoad"}, CommonLabels: common, CommonAnnotations: commonAnn,
		ExternalURL: externalURL, Version: "4", GroupKey: `{}:{alertname="IntakeLoad"}`,
	}
	whole := newTemplate(msg)
	// Cut the message at its empty alerts array: head ends with "[", tail
	// begins with "]".
	head, tail := template{}, template{}
	for i, p := range whole.parts {
		if at := strings.Index(p, `"alerts":[]`); at >= 0 {
			head.parts = append(slices.Clone(whole.parts[:i]), p[:at+len(`"alerts":[`)])
			head.holes = slices.Clone(whole.holes[:i])
			tail.parts = append([]string{p[at+len(`"alerts":[`):]}, whole.parts[i+1:]...)
			tail.holes = slices.Clone(whole.holes[i:])
			break
		}
	}
	start := startsAt.UTC().Format(time.RFC3339Nano)
	p := &payloads{
		sc:       sc,
		labels:   func(key int) map[string]string { return labels(strconv.Itoa(key)) },
		fp:       newFingerprinter(labels(keyMark)),
		hookHead: head,
		hookTail: tail,
		hookAlert: newTemplate(hookAlert{Status: "firing", Labels: labels(keyMark), Annotations: annotations,
			StartsAt: start, EndsAt: "0001-01-01T00:00:00Z", GeneratorURL: generatorURL, Fingerprint: fpMark}),
		// Prometheus posts each alert with an end an evaluation or so ahead;
		// an hour keeps the alerts firing for the whole run.
		apiAlert: newTemplate(struct {
			Annotations  map[string]string `json:"annotations"`
			EndsAt       string            `json:"endsAt"`
			StartsAt     string            `json:"startsAt"`
			GeneratorURL string            `json:"generatorURL"`
			Labels       map[string]string `json:"labels"`
		}{annotations, startsAt.Add(time.Hour).UTC().Format(time.RFC3339Nano), start, generatorURL, labels(keyMark)}),
	}
	return p
}

// webhook appends the webhook body of request n to b.
func (p *payloads) webhook(b []byte, n int) []byte {
	first := p.sc.key(n, 0)
	b = p.hookHead.append(b, first, "")
	for j := range p.sc.Batch {
		if j > 0 {
			b = append(b, ',')
		}
		k := p.sc.key(n, j)
		b = p.hookAlert.append(b, k, p.fp.of(k))
	}
	return p.hookTail.append(b, first, "")
}

// postable appends the body of request n to Alertmanager's POST
// /api/v2/alerts to b.
func (p *payloads) postable(b []byte, n int) []byte {
	b = append(b, '[')
	for j := range p.sc.Batch {
		if j > 0 {
			b = append(b, ',')
		}
		b = p.apiAlert.append(b, p.sc.key(n, j), "")
	}
	return append(b, ']')
}

// fingerprint is Alertmanager's fingerprint of a label set (Prometheus
// model.LabelSet.Fingerprint): FNV-1a 64 over the sorted names and values,
// each followed by the byte 0xff, as 16 hex digits.
func fingerprint(labels map[string]string) string {
	return fmt.Sprintf("%016x", fnv1a(fnvOffset, fingerprintInput(labels)))
}

func fingerprintInput(labels map[string]string) string {
	names := make([]string, 0, len(labels))
	for k := range labels {
		names = append(names, k)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, k := range names {
		b.WriteString(k)
		b.WriteByte(0xff)
		b.WriteString(labels[k])
		b.WriteByte(0xff)
	}
	return b.String()
}

const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnv1a(h uint64, s string) uint64 {
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= fnvPrime
	}
	return h
}

// fingerprinter computes the fingerprints of label sets that differ only
// in the key, without building each set: the hash of the text before the key
// is kept, so the load generator spends its CPU on requests, not on hashing.
type fingerprinter struct {
	head  uint64
	after string
}

func newFingerprinter(labels map[string]string) fingerprinter {
	in := fingerprintInput(labels)
	before, after, ok := strings.Cut(in, keyMark)
	if !ok || strings.Contains(after, keyMark) {
		panic("fingerprinter: the labels must hold the key exactly once")
	}
	return fingerprinter{head: fnv1a(fnvOffset, before), after: after}
}

func (f fingerprinter) of(key int) string {
	var digits [20]byte
	h := fnv1a(f.head, string(strconv.AppendInt(digits[:0], int64(key), 10)))
	h = fnv1a(h, f.after)
	var out [16]byte
	const hex = "0123456789abcdef"
	for i := 15; i >= 0; i-- {
		out[i] = hex[h&0xf]
		h >>= 4
	}
	return string(out[:])
}
