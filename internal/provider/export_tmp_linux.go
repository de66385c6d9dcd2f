//go:build linux

package provider

import (
	"errors"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// openUnnamedTemp opens a file in dir that has no name (O_TMPFILE): if the
// provider is killed, the kernel frees it and nothing is left beside path.
// ok is false where the file system cannot (the caller then uses a named,
// swept temporary file).
func openUnnamedTemp(dir string) (f *os.File, ok bool, err error) {
	if _, err := os.Stat("/proc/self/fd"); err != nil {
		return nil, false, nil //nolint:nilerr // no /proc: linkUnnamed could not name it, so use a named temp
	}
	fd, err := unix.Open(dir, unix.O_TMPFILE|unix.O_RDWR|unix.O_CLOEXEC, 0o600)
	if err != nil {
		switch {
		case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.EISDIR), errors.Is(err, unix.EINVAL):
			return nil, false, nil
		default:
			return nil, false, &os.PathError{Op: "open", Path: dir, Err: err}
		}
	}
	return os.NewFile(uintptr(fd), dir+"/(unnamed)"), true, nil
}

// linkUnnamed gives the unnamed file f the name name, so that it can be
// renamed over the target. linkat through /proc needs no privilege (unlike
// AT_EMPTY_PATH).
func linkUnnamed(f *os.File, name string) error {
	err := unix.Linkat(unix.AT_FDCWD, "/proc/self/fd/"+strconv.Itoa(int(f.Fd())), unix.AT_FDCWD, name, unix.AT_SYMLINK_FOLLOW)
	if err != nil {
		return &os.LinkError{Op: "link", Old: f.Name(), New: name, Err: err}
	}
	return nil
}
