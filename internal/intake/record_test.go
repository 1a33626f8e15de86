package intake_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/firebreak-oss/firebreak/internal/intake"
)

func recordSignals() []*intake.Signal {
	seoul := time.FixedZone("KST", 9*3600)
	resolved := time.Date(2026, 11, 24, 10, 0, 0, 5, time.UTC)
	now := time.Date(2026, 11, 24, 10, 1, 2, 345678900, time.UTC)
	return []*intake.Signal{
		{Source: "alertmanager", Fingerprint: "a1b2c3", Status: intake.Firing, Title: "결제 지연 Checkout latency",
			Summary: "p99가 2초를 넘었습니다\nover 2s", Labels: map[string]string{"alertname": "CheckoutLatency", "서비스": "결제", "z": ""},
			StartsAt: time.Date(2026, 11, 24, 18, 59, 0, 0, seoul), Count: 1, FirstSeen: now, LastSeen: now},
		{Source: "form", Fingerprint: "f", Status: intake.Resolved, Title: "t", Reporter: "minji@example.com",
			Labels: map[string]string{}, ResolvedAt: &resolved, Count: 3, FirstSeen: now, LastSeen: now.Add(time.Second)},
		{Source: "generic", Fingerprint: "zero-times", Status: intake.Firing, Title: "x", Labels: map[string]string{"k": "v"}},
	}
}

// sameSignal compares what a record carries; times as instants.
func sameSignal(a, b *intake.Signal) bool {
	ra, rb := a.ResolvedAt, b.ResolvedAt
	return a.Source == b.Source && a.Fingerprint == b.Fingerprint && a.Status == b.Status && a.Title == b.Title &&
		a.Summary == b.Summary && a.Reporter == b.Reporter && reflect.DeepEqual(a.Labels, b.Labels) &&
		a.StartsAt.Equal(b.StartsAt) && (ra == nil) == (rb == nil) && (ra == nil || ra.Equal(*rb)) &&
		a.Count == b.Count && a.FirstSeen.Equal(b.FirstSeen) && a.LastSeen.Equal(b.LastSeen)
}

func TestRecordRoundTrip(t *testing.T) {
	in := recordSignals()
	out, err := intake.DecodeRecord(intake.EncodeRecord(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(out) != len(in) {
		t.Fatalf("%d signals back, want %d", len(out), len(in))
	}
	for i := range in {
		if !sameSignal(in[i], out[i]) {
			t.Errorf("signal %d:\n got %+v\nwant %+v", i, out[i], in[i])
		}
	}
	if !out[2].StartsAt.IsZero() || !out[2].FirstSeen.IsZero() {
		t.Errorf("zero times came back as %v, %v", out[2].StartsAt, out[2].FirstSeen)
	}
	if string(intake.EncodeRecord(in)) != string(intake.EncodeRecord(out)) {
		t.Error("the same signals encode to different bytes")
	}
}

// Journals written before the binary form hold JSON records; they are
// still read after an upgrade.
func TestRecordReadsJSONFromEarlierVersions(t *testing.T) {
	in := recordSignals()
	rec, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	out, err := intake.DecodeRecord(rec)
	if err != nil {
		t.Fatal(err)
	}
	for i := range in {
		if !sameSignal(in[i], out[i]) {
			t.Errorf("signal %d:\n got %+v\nwant %+v", i, out[i], in[i])
		}
	}
}

// Every cut of a record, and every byte changed, is an error or a decode,
// never a panic or a huge allocation; a cut or an unknown form is an error.
func TestRecordRefusesDamage(t *testing.T) {
	rec := intake.EncodeRecord(recordSignals())
	for n := range len(rec) {
		if _, err := intake.DecodeRecord(rec[:n]); err == nil {
			t.Errorf("a record cut to %d of %d bytes decoded", n, len(rec))
		}
	}
	for i := range rec {
		bad := slices.Clone(rec)
		bad[i] ^= 0xff
		_, _ = intake.DecodeRecord(bad)
	}
	for _, bad := range [][]byte{{9, 0}, append(slices.Clone(rec), 0), {1, 0xff, 0xff, 0xff, 0xff, 0x0f}} {
		if _, err := intake.DecodeRecord(bad); err == nil {
			t.Errorf("% x decoded", bad)
		}
	}
}

// A field added to Signal must be decided on here: carried by the record,
// or set only after the signal is stored (ids, routing).
func TestRecordCarriesEverySignalField(t *testing.T) {
	carried := []string{"Source", "Fingerprint", "Status", "Title", "Summary", "Labels", "Reporter", "StartsAt", "ResolvedAt",
		"Count", "FirstSeen", "LastSeen"}
	setAfterStoring := []string{"ID", "Routed", "Service", "Grade", "GroupKey", "IncidentID", "Triage", "TriageReason", "SuppressedBy", "SuppressedUntil"}
	typ := reflect.TypeFor[intake.Signal]()
	for i := range typ.NumField() {
		name := typ.Field(i).Name
		if !slices.Contains(carried, name) && !slices.Contains(setAfterStoring, name) {
			t.Errorf("Signal.%s is new: carry it in journal records (record.go) or list it as set after storing", name)
		}
	}
	if n := len(carried) + len(setAfterStoring); n != typ.NumField() {
		t.Errorf("the lists name %d fields, Signal has %d", n, typ.NumField())
	}
}

// BenchmarkRecord compares the journal's encodings for a 100-alert request.
func BenchmarkRecord(b *testing.B) {
	now := time.Now().UTC()
	sigs := make([]*intake.Signal, 100)
	for i := range sigs {
		sigs[i] = &intake.Signal{Source: "alertmanager", Fingerprint: fmt.Sprintf("%016x", i), Status: intake.Firing,
			Title: "p99 latency high 지연", Labels: map[string]string{"alertname": "Bench", "instance": fmt.Sprintf("h%d", i),
				"job": "node", "severity": "page"}, StartsAt: now, Count: 1, FirstSeen: now, LastSeen: now}
	}
	js, _ := json.Marshal(sigs)
	bin := intake.EncodeRecord(sigs)
	b.Logf("a 100-signal record: %d bytes as JSON, %d binary", len(js), len(bin))
	for _, enc := range []struct {
		name string
		rec  []byte
		fn   func() []byte
	}{
		{"json", js, func() []byte { r, _ := json.Marshal(sigs); return r }},
		{"binary", bin, func() []byte { return intake.EncodeRecord(sigs) }},
	} {
		b.Run(enc.name+"/encode", func(b *testing.B) {
			for b.Loop() {
				enc.fn()
			}
		})
		b.Run(enc.name+"/decode", func(b *testing.B) {
			for b.Loop() {
				if _, err := intake.DecodeRecord(enc.rec); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
