package journal

import (
	"errors"
	"os"
	"syscall"
)

// preallocate gives a new segment its space up front (zeros, as the
// reader expects after the last record), so that a round's flush need not
// also write the file's new size: fdatasync then writes the data alone.
// A file system that cannot preallocate is left to grow as it is written.
func preallocate(f *os.File, size int64) error {
	err := ignoringEINTR(func() error { return syscall.Fallocate(int(f.Fd()), 0, 0, size) })
	if errors.Is(err, syscall.EOPNOTSUPP) || errors.Is(err, syscall.ENOSYS) {
		return nil
	}
	return err
}

// syncData flushes what was written to f, and the metadata needed to read
// it back (its size, if that changed).
func syncData(f *os.File) error {
	return ignoringEINTR(func() error { return syscall.Fdatasync(int(f.Fd())) })
}

func ignoringEINTR(fn func() error) error {
	for {
		if err := fn(); !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}
