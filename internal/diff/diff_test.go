package diff_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/diff"
)

func doc(typ, name string, props map[string]any) map[string]any {
	return map[string]any{"__urn": "urn:pulumi:prod::p::" + typ + "::" + name, "__type": typ, "__name": name, "__properties": props}
}

func write(t *testing.T, dir string, docs ...map[string]any) {
	require.NoError(t, os.MkdirAll(dir, 0o755))
	b, err := json.Marshal(docs)
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "resources.json"), b, 0o644))
}

func TestDiffReport(t *testing.T) {
	base, head := t.TempDir(), t.TempDir()
	hpa := "kubernetes:autoscaling/v2:HorizontalPodAutoscaler"
	secret := "aws:secretsmanager/secretVersion:SecretVersion"
	write(t, filepath.Join(base, "prod"),
		doc(hpa, "hpa", map[string]any{"spec": map[string]any{"minReplicas": 10, "maxReplicas": 50}}),
		doc(secret, "credentials", map[string]any{"secretString": "<secret:0a1b2c3d4e5f>"}),
		doc("aws:sns/topic:Topic", "old-topic", map[string]any{"name": "t"}),
	)
	write(t, filepath.Join(head, "prod"),
		doc(hpa, "hpa", map[string]any{"spec": map[string]any{"minReplicas": 12, "maxReplicas": 50}}),
		doc(secret, "credentials", map[string]any{"secretString": "<secret:ffeeddccbbaa>"}),
		doc("aws:s3/bucketV2:BucketV2", "logs", map[string]any{"tags": map[string]any{"Owner": "x"}}),
	)
	stacks, err := diff.Compare(base, head)
	require.NoError(t, err)
	got := diff.Markdown(stacks, 0)
	want := "## Offline diff of the desired state\n\n" +
		"<details><summary>Stack <b>prod</b>: 1 added, 1 removed, 2 changed</summary>\n\n" +
		"### Added\n\n- `aws:s3/bucketV2:BucketV2` **logs**\n\n" +
		"### Removed\n\n- `aws:sns/topic:Topic` **old-topic**\n\n" +
		"### Changed\n\n" +
		"#### `aws:secretsmanager/secretVersion:SecretVersion` **credentials**\n\n| property | base | head |\n| --- | --- | --- |\n" +
		"| `secretString` | `<secret>` (value hidden) | `<secret>` (value hidden) |\n\n" +
		"#### `kubernetes:autoscaling/v2:HorizontalPodAutoscaler` **hpa**\n\n| property | base | head |\n| --- | --- | --- |\n" +
		"| `spec.minReplicas` | `10` | `12` |\n\n" +
		"</details>\n\n"
	assert.Equal(t, want, got)
	assert.NotContains(t, got, "0a1b2c", "not even the fingerprint is shown")
}

func TestDiffWithoutChangesAndSizeCap(t *testing.T) {
	base, head := t.TempDir(), t.TempDir()
	var many []map[string]any
	for i := 0; i < 400; i++ {
		many = append(many, doc("aws:sns/topic:Topic", strings.Repeat("x", 10)+string(rune('a'+i%26))+string(rune('a'+i/26)), map[string]any{"n": i}))
	}
	write(t, filepath.Join(base, "staging"))
	write(t, filepath.Join(head, "staging"), many...)
	write(t, filepath.Join(base, "prod"), doc("aws:sns/topic:Topic", "same", map[string]any{"n": 1}))
	write(t, filepath.Join(head, "prod"), doc("aws:sns/topic:Topic", "same", map[string]any{"n": 1}))
	stacks, err := diff.Compare(base, head)
	require.NoError(t, err)
	full := diff.Markdown(stacks, 0)
	assert.Contains(t, full, "Stack <b>prod</b>: 0 added, 0 removed, 0 changed</summary>\n\nNo changes.")
	assert.Contains(t, full, "Stack <b>staging</b>: 400 added")
	capped := diff.Markdown(stacks, 4000)
	assert.LessOrEqual(t, len(capped), 4000)
	assert.Contains(t, capped, "full renderings are in the workflow's artifact")
}

func writeCost(t *testing.T, dir string, expected float64, lines map[string]float64) {
	type line struct {
		Item     string  `json:"item"`
		Expected float64 `json:"monthlyExpectedUsd"`
	}
	var ls []line
	for _, item := range []string{"RDS primary db.r7g.2xlarge (Multi-AZ)", "RDS primary db.r7g.xlarge (Multi-AZ)", "KMS keys (4)"} {
		if v, ok := lines[item]; ok {
			ls = append(ls, line{item, v})
		}
	}
	b, err := json.Marshal(map[string]any{"monthlyExpectedUsd": expected, "lines": ls})
	require.NoError(t, err)
	require.NoError(t, os.WriteFile(filepath.Join(dir, "cost.json"), b, 0o644))
}

// The pull request shows the monthly cost delta per stack, line by line.
func TestDiffShowsTheCostDelta(t *testing.T) {
	base, head := t.TempDir(), t.TempDir()
	rds := "aws:rds/instance:Instance"
	write(t, filepath.Join(base, "prod"), doc(rds, "db", map[string]any{"instanceClass": "db.r7g.2xlarge"}))
	write(t, filepath.Join(head, "prod"), doc(rds, "db", map[string]any{"instanceClass": "db.r7g.xlarge"}))
	writeCost(t, filepath.Join(base, "prod"), 4664, map[string]float64{"RDS primary db.r7g.2xlarge (Multi-AZ)": 1395.76, "KMS keys (4)": 4})
	writeCost(t, filepath.Join(head, "prod"), 3966.12, map[string]float64{"RDS primary db.r7g.xlarge (Multi-AZ)": 697.88, "KMS keys (4)": 4})
	stacks, err := diff.Compare(base, head)
	require.NoError(t, err)
	require.NotNil(t, stacks[0].Cost)
	assert.Equal(t, []diff.CostLine{
		{Item: "RDS primary db.r7g.2xlarge (Multi-AZ)", Base: 1395.76, Head: 0},
		{Item: "RDS primary db.r7g.xlarge (Multi-AZ)", Base: 0, Head: 697.88},
	}, stacks[0].Cost.Lines, "unchanged lines are left out")
	got := diff.Markdown(stacks, 0)
	assert.Contains(t, got, "1 changed; AWS cost -$697.88 a month (expected)</summary>")
	assert.Contains(t, got, "$4664 → $3966 (-$697.88)")
	assert.Contains(t, got, "| `RDS primary db.r7g.xlarge (Multi-AZ)` | $0.00 | $697.88 | +$697.88 |")
	// Without cost.json on either side (an old base), no cost section.
	require.NoError(t, os.Remove(filepath.Join(base, "prod", "cost.json")))
	stacks, err = diff.Compare(base, head)
	require.NoError(t, err)
	assert.Nil(t, stacks[0].Cost)
	assert.NotContains(t, diff.Markdown(stacks, 0), "AWS cost")
}
