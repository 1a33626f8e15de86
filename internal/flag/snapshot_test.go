package flag

import "testing"

// TestServedKeepsNewestVersion: a reload that read a switch before a change
// committed does not undo the change the process already serves, and the
// tag moves with every change.
func TestServedKeepsNewestVersion(t *testing.T) {
	s := NewServed()
	v1 := paymentSheet()
	v1.Version = 1
	if err := v1.Check(); err != nil {
		t.Fatal(err)
	}
	s.Replace([]Switch{v1}, 1)
	tag1 := s.Load().Tag
	v2 := v1.Clone()
	v2.Version, v2.State = 2, "off"
	s.Put(v2)
	if got := s.Load().Get(v1.Key); got.State != "off" || s.Load().Tag == tag1 {
		t.Fatalf("after Put: %+v, tag %s", got, s.Load().Tag)
	}
	s.Replace([]Switch{v1}, 1) // a stale load
	if got := s.Load().Get(v1.Key); got.Version != 2 || got.State != "off" {
		t.Fatalf("a stale load undid the flip: %+v", got)
	}
	s.Put(v1) // a stale notice
	if got := s.Load().Get(v1.Key); got.Version != 2 {
		t.Fatalf("a stale Put undid the flip: %+v", got)
	}
	v2.Variants["off"] = true // the caller's map changes; the served one must not
	if got := s.Load().Get(v1.Key); got.Variants["off"] != false {
		t.Fatalf("the snapshot shares memory with the caller")
	}
	if keys := s.Load().Keys(); len(keys) != 1 || keys[0] != v1.Key || s.Load().Mark != 1 {
		t.Fatalf("keys %v mark %d", keys, s.Load().Mark)
	}
}
