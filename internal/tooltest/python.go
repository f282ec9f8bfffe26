package tooltest

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// Cached is where an install from lockfile (by its hash) lives under the OS temp directory, made
// once per machine and lockfile by install; concurrent test binaries wait for one install.
func Cached(name, lockfile string, install func(dir string) error) (string, error) {
	body, err := os.ReadFile(lockfile)
	if err != nil {
		return "", err
	}
	digest := sha256.Sum256(body)
	dir := filepath.Join(os.TempDir(), "langgraph-platform-tools", name+"-"+hex.EncodeToString(digest[:8]))
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		return "", err
	}
	installed := func() bool { _, err := os.Stat(filepath.Join(dir, installedMark)); return err == nil }
	err = Once(dir, installed, func() error {
		_ = os.RemoveAll(dir) // a partial install from an interrupted run
		if err := install(dir); err != nil {
			return err
		}
		return os.WriteFile(filepath.Join(dir, installedMark), nil, 0o644)
	})
	if err != nil {
		return "", err
	}
	return dir, nil
}

// installedMark is written last: an install without it is partial.
const installedMark = ".installed"

// PythonVenv returns a virtual environment with requirements installed from PyPI by hash (pip
// --require-hashes --no-deps, wheels only unless pipArgs say otherwise), once per machine and
// requirements file.
func PythonVenv(name, requirements string, pipArgs ...string) (string, error) {
	return Cached(name, requirements, func(venv string) error {
		python, err := exec.LookPath("python3")
		if err != nil {
			return fmt.Errorf("%s needs python3 (3.11) on PATH: %w", name, err)
		}
		install := append([]string{filepath.Join(venv, "bin", "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check",
			"--no-input", "--require-hashes", "--no-deps", "--only-binary=:all:"}, pipArgs...)
		return RunAll(name, []string{python, "-m", "venv", venv}, append(install, "-r", requirements))
	})
}

// RunAll runs install commands in turn, stopping at the first that fails.
func RunAll(name string, cmds ...[]string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	for _, args := range cmds {
		if out, err := exec.CommandContext(ctx, args[0], args[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("installing %s (%v): %v\n%s", name, args[1:], err, out)
		}
	}
	return nil
}
