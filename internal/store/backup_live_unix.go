//go:build unix

package store

import (
	"os"
	"syscall"
)

// shmInUse tells whether another process has the SQLite database at path
// open: every connection to a WAL database holds a read lock on one byte
// of its shared-memory file (SQLite's "dead man switch", byte 128 of
// path-shm) for as long as it is open. A server whose job queue is paused
// has no queue leader, but it holds that lock.
func shmInUse(path string) bool {
	f, err := os.Open(path + "-shm")
	if err != nil {
		return false
	}
	defer f.Close()
	lk := syscall.Flock_t{Type: syscall.F_WRLCK, Whence: 0, Start: 128, Len: 1}
	if err := syscall.FcntlFlock(f.Fd(), syscall.F_GETLK, &lk); err != nil {
		return false
	}
	return lk.Type != syscall.F_UNLCK
}
