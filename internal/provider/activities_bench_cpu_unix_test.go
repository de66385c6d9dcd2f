//go:build unix

package provider

import (
	"syscall"
	"time"
)

// processCPU is the CPU time (user + system) the test process has used so
// far: on a shared machine it measures work where wall time also measures
// the neighbours.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
