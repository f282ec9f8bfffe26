package tooltest

import (
	"fmt"
	"net"
	"os"
	"syscall"
)

// FreePort is a loopback port nothing listens on at the moment it is asked: for a server a test
// starts.
func FreePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Once makes something under the OS temp directory once per machine, across processes: the
// first caller holds path+".lock" while make runs, the others wait for it; done says whether it
// is there already (checked before and after the wait).
func Once(path string, done func() bool, make func() error) error {
	if done() {
		return nil
	}
	lock, err := os.OpenFile(path+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return fmt.Errorf("locking %s: %w", path, err)
	}
	defer syscall.Flock(int(lock.Fd()), syscall.LOCK_UN) //nolint:errcheck // released on close anyway
	if done() {
		return nil // another process made it while this one waited
	}
	return make()
}
