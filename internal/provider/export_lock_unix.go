//go:build unix

package provider

import (
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// lockTemp marks f as in use by this process for as long as it is open:
// the sweep of another run never removes it (the lock ends with the
// process, so a crashed run's file is unlocked and swept).
func lockTemp(f *os.File) error { return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) }

// tempInUse reports whether a process holds the lock of the file at name.
func tempInUse(name string) bool {
	f, err := os.Open(name) //nolint:gosec // G703: our own temporary file (isTempName)
	if err != nil {
		return true // gone or unreadable: leave it
	}
	defer f.Close()
	return unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB) != nil
}

// stickyRefuses reports whether a sticky directory (dir) would refuse this
// user the rename over file: only the file's owner, the directory's owner
// and root may replace a file there.
func stickyRefuses(uid int, dir, file os.FileInfo) bool {
	if dir.Mode()&os.ModeSticky == 0 {
		return false
	}
	ds, ok1 := dir.Sys().(*syscall.Stat_t)
	fs, ok2 := file.Sys().(*syscall.Stat_t)
	if !ok1 || !ok2 {
		return false
	}
	if uid < 0 { // Windows-style "no uid": nothing to compare
		return false
	}
	u := uint32(uid) //nolint:gosec // non-negative, checked above
	return u != 0 && u != ds.Uid && u != fs.Uid
}
