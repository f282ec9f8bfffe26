package tests

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const module = "github.com/langgraph-platform/infra/"

// imports lists the project packages a package's non-test files import.
func imports(t *testing.T, dir string) map[string]bool {
	t.Helper()
	entries, err := os.ReadDir(repoPath(t, dir))
	require.NoError(t, err)
	out := map[string]bool{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(repoPath(t, dir), e.Name()), nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if strings.HasPrefix(path, module) {
				out[strings.TrimPrefix(path, module)] = true
			}
		}
	}
	return out
}

// One owner per fact: catalog is a leaf; config reads catalog and imports no component and no
// model; the sizing gate and the tools that need no cloud link no component.
func TestPackageDependenciesKeepTheArchitecture(t *testing.T) {
	assert.Empty(t, imports(t, "catalog"), "catalog imports nothing of the project")
	cfg := imports(t, "config")
	assert.Equal(t, map[string]bool{"catalog": true}, cfg, "config imports only catalog")
	for _, dir := range []string{"program/sizing", "cmd/capacity", "cmd/loadtest", "internal/stackfile"} {
		for imp := range imports(t, dir) {
			assert.False(t, strings.HasPrefix(imp, "components/") || imp == "program" || imp == "internal/harness",
				"%s imports %s: it must not link the components, the program or the mock-engine harness", dir, imp)
		}
	}
	// Every component package, found on disk (a new one is covered without editing this test):
	// components take plain typed inputs, never the configuration, the program or each other
	// (awsbase, their shared AWS helpers, excepted).
	checked := 0
	for _, dir := range componentDirs(t) {
		checked++
		for imp := range imports(t, dir) {
			assert.False(t, imp == "config" || imp == "program" || strings.HasPrefix(imp, "program/"),
				"%s imports %s: components take plain typed inputs", dir, imp)
			assert.False(t, strings.HasPrefix(imp, "components/") && imp != "components/awsbase",
				"%s imports %s: a component does not take another one (pass its outputs as plain inputs)", dir, imp)
		}
	}
	assert.GreaterOrEqual(t, checked, 12, "the component packages were found")

	// The monitoring mixin is plain data: no Pulumi, no component, no configuration.
	for imp := range imports(t, "mixin") {
		assert.Equal(t, "catalog", imp, "mixin imports %s: it takes one mixin.Config and imports only catalog", imp)
	}
	assert.Empty(t, externalImports(t, "mixin", "github.com/pulumi/"), "mixin imports no Pulumi package")
}

// externalImports lists the imports of a package's non-test files that start with prefix.
func externalImports(t *testing.T, dir, prefix string) []string {
	t.Helper()
	entries, err := os.ReadDir(repoPath(t, dir))
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(repoPath(t, dir), e.Name()), nil, parser.ImportsOnly)
		require.NoError(t, err)
		for _, imp := range f.Imports {
			if path, _ := strconv.Unquote(imp.Path.Value); strings.HasPrefix(path, prefix) {
				out = append(out, e.Name()+": "+path)
			}
		}
	}
	return out
}

// componentDirs are the component packages, found on disk.
func componentDirs(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(repoPath(t, "components"))
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if e.IsDir() {
			out = append(out, "components/"+e.Name())
		}
	}
	return out
}

// goFiles are a package's non-test Go files, relative to the repository.
func goFiles(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(repoPath(t, dir))
	require.NoError(t, err)
	var out []string
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".go") && !strings.HasSuffix(e.Name(), "_test.go") {
			out = append(out, dir+"/"+e.Name())
		}
	}
	return out
}

// readRepoFile is a repository file's text.
func readRepoFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(repoPath(t, path))
	require.NoError(t, err)
	return string(b)
}

// config/ keeps one file convention (its package comment says which file holds what): a new file
// either fits it or the convention changes with it.
func TestConfigFilesFollowTheConvention(t *testing.T) {
	convention := regexp.MustCompile(`^config/(types(_[a-z]+)?|defaults|validate(_[a-z]+)?|derived|load|decode|keys|doc|secret)\.go$`)
	files := goFiles(t, "config")
	require.NotEmpty(t, files)
	for _, f := range files {
		assert.Regexp(t, convention, f, "config/ files: types*, defaults, validate*, derived, load, decode, keys, doc, secret")
	}
	assert.Contains(t, readRepoFile(t, "config/types.go"), "// Files: types*.go declare the settings")
}
