package tests

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The README's layout table names every Go package of the module, and no README or docs page
// says a landed feature is still to come.
func TestReadmeLayoutListsEveryPackage(t *testing.T) {
	root := repoPath(t)
	readme, err := os.ReadFile(filepath.Join(root, "README.md"))
	require.NoError(t, err)
	text := string(readme)
	start, end := strings.Index(text, "## Layout"), strings.Index(text, "## Tests")
	require.True(t, start >= 0 && end > start, "README.md has a Layout section")
	layout := text[start:end]
	packages := map[string]bool{}
	require.NoError(t, filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && rel != "." || rel == "tools" || d.Name() == "out") {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") && filepath.Dir(rel) != "." {
			packages[filepath.ToSlash(filepath.Dir(rel))] = true
		}
		return nil
	}))
	require.NotEmpty(t, packages)
	for pkg := range packages {
		if !strings.Contains(layout, "`"+pkg+"`") && !strings.Contains(layout, "`"+pkg+"/`") {
			// A package inside a listed folder counts when the table names it, e.g. loadtest/fakeapi.
			assert.Fail(t, "README layout table does not list package "+pkg)
		}
	}
	for _, f := range []string{"README.md"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		require.NoError(t, err)
		for _, stale := range []string{"as the open issues land", "not yet built", "coming soon"} {
			assert.NotContains(t, strings.ToLower(string(b)), stale, f)
		}
	}
}

// The README is the entry point: it links every page under docs/ (runbooks and decisions through
// their folders) and the policy pack's README, and every file it names in a link exists.
func TestReadmeLinksEveryPage(t *testing.T) {
	readme := readRepoFile(t, "README.md")
	pages, err := filepath.Glob(repoPath(t, "docs", "*.md"))
	require.NoError(t, err)
	require.NotEmpty(t, pages)
	for _, p := range append(pages, repoPath(t, "policies", "README.md")) {
		rel, _ := filepath.Rel(repoPath(t), p)
		assert.Contains(t, readme, "("+filepath.ToSlash(rel), "README.md does not link %s", rel)
	}
	assert.Contains(t, readme, "(docs/runbooks)")
	for _, m := range regexp.MustCompile(`\]\(([^)#]+)(?:#[^)]*)?\)`).FindAllStringSubmatch(readme, -1) {
		_, err := os.Stat(repoPath(t, m[1]))
		assert.NoError(t, err, "README.md links %s", m[1])
	}
	assert.Less(t, strings.Count(readme, "\n"), 260, "the README is an entry point; details go to docs/")
}
