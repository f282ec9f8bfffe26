//go:build unix

package loadtest

import "syscall"

// RaiseFileLimit raises the soft open-file limit towards need (never above the hard limit) and
// returns an error that says how to raise it when the hard limit is too low.
func RaiseFileLimit(need uint64) error {
	var lim syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return nil // unknown: let the dials report it
	}
	if uint64(lim.Cur) >= need {
		return nil
	}
	if uint64(lim.Max) < need {
		return errFileLimit(uint64(lim.Max), need)
	}
	lim.Cur = lim.Max
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim); err != nil {
		return errFileLimit(uint64(lim.Cur), need)
	}
	return nil
}
