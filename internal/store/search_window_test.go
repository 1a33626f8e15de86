package store

import "testing"

func TestWindowTerm(t *testing.T) {
	// ids 4096-8191 are bucket 1; the window reaches windowIDs back.
	if got, want := windowTerm(5*4096+7), "('#b1' | '#b2' | '#b3' | '#b4' | '#b5')"; got != want {
		t.Errorf("windowTerm = %s, want %s", got, want)
	}
	if bucketToken(4095) != "#b0" || bucketToken(4096) != "#b1" {
		t.Errorf("buckets: %s %s", bucketToken(4095), bucketToken(4096))
	}
}
