//go:build !linux

package journal

import "os"

// preallocate does nothing where fallocate is not at hand: the segment
// grows as it is written.
func preallocate(f *os.File, size int64) error { return nil }

// syncData flushes what was written to f.
func syncData(f *os.File) error { return f.Sync() }
