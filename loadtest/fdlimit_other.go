//go:build !unix

package loadtest

// RaiseFileLimit does nothing where there is no RLIMIT_NOFILE.
func RaiseFileLimit(uint64) error { return nil }
