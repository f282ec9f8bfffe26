package tests

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// seedSection matches a citation of the seed by section: "seed section 7", "Seed section 9
// "Memory Leaks"", "the seed's ... (section 2, "Alert Thresholds")".
var seedSection = regexp.MustCompile(`(?i)\bseed(?:'s)?\b[^.\n]{0,60}?\bsection (\d+)(?:,? "([^"]+)")?`)

// Every citation of the seed by section, in code, stack files and docs, resolves in the copy
// checked in as docs/seed.md: the section exists, and a quoted title is a heading in it.
func TestSeedCitationsResolve(t *testing.T) {
	seed := readRepoFile(t, "docs/seed.md")
	sections := map[int]string{}
	for _, part := range regexp.MustCompile(`(?m)^## `).Split(seed, -1)[1:] {
		num, _, ok := strings.Cut(part, ".")
		n, err := strconv.Atoi(num)
		if ok && err == nil {
			sections[n] = part
		}
	}
	require.Len(t, sections, 9, "docs/seed.md has the seed's nine numbered sections")

	root := repoPath(t)
	cited := 0
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && rel != "." || d.Name() == "out" || d.Name() == "crds" || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		ext := filepath.Ext(p)
		if d.IsDir() || rel == filepath.Join("docs", "seed.md") || (ext != ".go" && ext != ".md" && ext != ".yaml") {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range seedSection.FindAllStringSubmatch(string(b), -1) {
			cited++
			n, _ := strconv.Atoi(m[1])
			body, ok := sections[n]
			if !assert.True(t, ok, "%s cites seed section %d, which docs/seed.md does not have", rel, n) {
				continue
			}
			if title := m[2]; title != "" {
				assert.Contains(t, body, title, "%s cites %q in seed section %d", rel, title, n)
			}
		}
		return nil
	}))
	assert.Greater(t, cited, 10, "the citations were found")
}
