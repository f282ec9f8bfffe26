package tests

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"gopkg.in/yaml.v3"

	"github.com/langgraph-platform/infra/bootstrap/account"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/policy"
	"github.com/langgraph-platform/infra/internal/stackfile"
	"github.com/langgraph-platform/infra/internal/stacktest"
	"github.com/langgraph-platform/infra/internal/tooltest"
)

type workflow struct {
	Permissions map[string]string `yaml:"permissions"`
	Concurrency struct {
		Group            string `yaml:"group"`
		CancelInProgress bool   `yaml:"cancel-in-progress"`
	} `yaml:"concurrency"`
	Jobs map[string]struct {
		If          string            `yaml:"if"`
		Needs       any               `yaml:"needs"`
		Environment string            `yaml:"environment"`
		Permissions map[string]string `yaml:"permissions"`
		Strategy    struct {
			Matrix map[string][]string `yaml:"matrix"`
		} `yaml:"strategy"`
		Steps []struct {
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			With map[string]string `yaml:"with"`
		} `yaml:"steps"`
	} `yaml:"jobs"`
}

func readWorkflow(t *testing.T, name string) workflow {
	b, err := os.ReadFile(repoPath(t, ".github", "workflows", name))
	require.NoError(t, err)
	var w workflow
	require.NoError(t, yaml.Unmarshal(b, &w))
	return w
}

func TestActionlint(t *testing.T) {
	actionlint := tooltest.Build(t, "actionlint", "github.com/rhysd/actionlint/cmd/actionlint")
	files, err := filepath.Glob(repoPath(t, ".github", "workflows", "*.yml"))
	require.NoError(t, err)
	require.Len(t, files, 5)
	out, err := exec.Command(actionlint, append([]string{"-color=false"}, files...)...).CombinedOutput()
	assert.NoError(t, err, "actionlint:\n%s", out)
}

func stackFiles(t *testing.T) []string {
	root, err := harness.RepoRoot()
	require.NoError(t, err)
	return stackfile.Stacks(root)
}

func TestWorkflowsCoverEveryStack(t *testing.T) {
	all := stackFiles(t)
	var stacks []string // the environments CI previews and deploys
	for _, s := range all {
		if !slices.Contains(stackfile.ExampleStacks, s) {
			stacks = append(stacks, s)
		}
	}
	pr := readWorkflow(t, "pull-request.yml")
	for job, want := range map[string][]string{"preview": stacks, "policy": all} {
		got := append([]string(nil), pr.Jobs[job].Strategy.Matrix["stack"]...)
		sort.Strings(got)
		assert.Equal(t, want, got, "pull-request.yml %s matrix", job)
	}
	// The daily standby check covers every warm standby.
	var standbys []string
	for _, s := range stacks {
		raw, err := os.ReadFile(repoPath(t, "Pulumi."+s+".yaml"))
		require.NoError(t, err)
		if strings.Contains(string(raw), "\n    role: standby\n") {
			standbys = append(standbys, s)
		}
	}
	require.NotEmpty(t, standbys)
	assert.Equal(t, standbys, readWorkflow(t, "standby-check.yml").Jobs["check"].Strategy.Matrix["stack"], "standby-check.yml matrix")
	deploy := readWorkflow(t, "deploy.yml")
	var deployed []string
	for _, job := range deploy.Jobs {
		for _, s := range job.Steps {
			if strings.HasPrefix(s.Uses, "pulumi/actions@") && s.With["command"] != "" { // without a command it only installs the CLI
				assert.Equal(t, "up", s.With["command"])
				assert.Equal(t, "true", s.With["refresh"])
				assert.Equal(t, "policies", s.With["policyPacks"])
				assert.Equal(t, "policy-config/"+s.With["stack-name"]+".json", s.With["policyPackConfigs"])
				deployed = append(deployed, s.With["stack-name"])
			}
		}
	}
	sort.Strings(deployed)
	assert.Equal(t, stacks, deployed)
	assert.Equal(t, "production", deploy.Jobs["prod"].Environment, "prod waits for the environment's required reviewers")
	assert.Equal(t, "staging", deploy.Jobs["prod"].Needs, "prod deploys after staging")
	assert.Equal(t, "prod", deploy.Jobs["prod-standby"].Needs, "the standby reads prod's outputs: it deploys after prod")
	assert.Equal(t, "production-standby", deploy.Jobs["prod-standby"].Environment, "its own deploy role, behind reviewers")
	assert.False(t, deploy.Concurrency.CancelInProgress, "a deploy is never cancelled halfway")
	assert.NotEmpty(t, deploy.Concurrency.Group)
}

func TestPreviewCommentsOncePerStack(t *testing.T) {
	pr := readWorkflow(t, "pull-request.yml")
	preview := pr.Jobs["preview"]
	found := false
	for _, s := range preview.Steps {
		if strings.HasPrefix(s.Uses, "pulumi/actions@") && s.With["command"] != "" { // without a command it only installs the CLI
			found = true
			assert.Equal(t, "preview", s.With["command"])
			assert.Equal(t, "true", s.With["diff"])
			assert.Equal(t, "true", s.With["comment-on-pr"])
			assert.Equal(t, "true", s.With["edit-pr-comment"])
			assert.Equal(t, "policies", s.With["policyPacks"])
			assert.Equal(t, "policy-config/${{ matrix.stack }}.json", s.With["policyPackConfigs"])
		}
		if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@") {
			assert.Equal(t, previewRole, s.With["role-to-assume"], "the OIDC role comes from repository variables")
		}
	}
	assert.True(t, found)
	// Forks: the preview steps aside, the offline diff runs instead.
	assert.Contains(t, preview.If, "head.repo.full_name == github.repository")
	assert.Contains(t, pr.Jobs["offline-diff"].If, "head.repo.full_name != github.repository")
	assert.True(t, pr.Concurrency.CancelInProgress)
	assert.Contains(t, pr.Concurrency.Group, "pull_request.number")
}

// workflows lists every workflow file's name.
func workflows(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob(repoPath(t, ".github", "workflows", "*.yml"))
	require.NoError(t, err)
	var names []string
	for _, f := range files {
		names = append(names, filepath.Base(f))
	}
	require.Contains(t, names, "load-test.yml")
	return names
}

// The load test runs only by hand, in the stack's environment (prod behind its approval), with
// the API key from that environment's secrets, and keeps its report even when a KPI fails.
func TestLoadTestWorkflow(t *testing.T) {
	raw, err := os.ReadFile(repoPath(t, ".github", "workflows", "load-test.yml"))
	require.NoError(t, err)
	w := string(raw)
	assert.Contains(t, w, "workflow_dispatch:")
	assert.NotContains(t, w, "push:")
	assert.NotContains(t, w, "schedule:")
	assert.Contains(t, w, "environment: ${{ inputs.stack == 'prod' && 'production' || 'staging' }}")
	assert.Contains(t, w, "LANGSMITH_API_KEY: ${{ secrets.LANGSMITH_API_KEY }}")
	assert.Contains(t, w, "go run ./cmd/loadtest")
	assert.Contains(t, w, "if: always()")
	assert.NotContains(t, w, "-url ${{", "inputs reach the shell through env, never spliced into the script")
}

func TestPermissionsAreMinimal(t *testing.T) {
	for _, name := range workflows(t) {
		w := readWorkflow(t, name)
		assert.Equal(t, map[string]string{"contents": "read"}, w.Permissions, "%s: workflow default", name)
		for jobName, job := range w.Jobs {
			if job.Permissions == nil {
				continue
			}
			allowed := map[string]string{"contents": "read", "id-token": "write"}
			if name == "pull-request.yml" {
				allowed["pull-requests"] = "write"
			}
			assert.Equal(t, allowed, job.Permissions, "%s job %s", name, jobName)
		}
	}
	pr := readWorkflow(t, "pull-request.yml")
	assert.Equal(t, map[string]string{"contents": "read", "id-token": "write", "pull-requests": "write"}, pr.Jobs["preview"].Permissions)
	assert.Nil(t, pr.Jobs["offline-diff"].Permissions, "forks get the read-only default")
}

func TestEveryActionIsPinned(t *testing.T) {
	pinned := regexp.MustCompile(`^[\w.-]+/[\w.-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$`)
	n := 0
	for _, name := range workflows(t) {
		for jobName, job := range readWorkflow(t, name).Jobs {
			for _, s := range job.Steps {
				if s.Uses != "" {
					n++
					assert.Regexp(t, pinned, s.Uses, "%s job %s", name, jobName)
				}
			}
		}
	}
	assert.Greater(t, n, 10)
}

// Every preview and update that applies the pack first installs the pinned analyzer: an older
// pulumi-policy-opa would silently skip stack_ rules, digits in names and the per-stack config.
func TestWorkflowsInstallThePinnedAnalyzer(t *testing.T) {
	install := "pulumi plugin install analyzer policy-opa " + policy.AnalyzerVersion
	n := 0
	for _, file := range []string{"pull-request.yml", "deploy.yml"} {
		for name, job := range readWorkflow(t, file).Jobs {
			installed := false
			for _, s := range job.Steps {
				if strings.TrimSpace(s.Run) == install {
					installed = true
				}
				if s.With["policyPacks"] != "" {
					n++
					assert.True(t, installed, "%s job %s applies the pack before `%s`", file, name, install)
				}
			}
		}
	}
	assert.Equal(t, 4, n, "the preview and the three deploys apply the pack")
	readme, err := os.ReadFile(repoPath(t, "policies", "README.md"))
	require.NoError(t, err)
	assert.True(t, strings.Contains(string(readme), install), "policies/README.md says which analyzer the pack needs: %s", install)
}

// The drift workflow refreshes and previews every deployed stack on a schedule, expecting no
// change, with the read-only preview role, never beside a deploy, and reports what it found.
func TestDriftWorkflow(t *testing.T) {
	raw, err := os.ReadFile(repoPath(t, ".github", "workflows", "drift.yml"))
	require.NoError(t, err)
	text := string(raw)
	assert.Contains(t, text, "schedule:")
	assert.Contains(t, text, "workflow_dispatch:")
	assert.Contains(t, text, `pulumi preview --stack "$STACK" --refresh --expect-no-changes --diff --non-interactive`)
	assert.Contains(t, text, "GITHUB_STEP_SUMMARY")
	assert.Contains(t, text, "SLACK_WEBHOOK_URL: ${{ secrets.SLACK_WEBHOOK_URL }}")
	assert.NotContains(t, text, "AWS_DEPLOY_ROLE_ARN", "drift reads; it never deploys")
	w := readWorkflow(t, "drift.yml")
	var stacks []string
	for _, s := range stackFiles(t) {
		if !slices.Contains(stackfile.ExampleStacks, s) {
			stacks = append(stacks, s)
		}
	}
	got := append([]string(nil), w.Jobs["drift"].Strategy.Matrix["stack"]...)
	sort.Strings(got)
	assert.Equal(t, stacks, got, "every deployed stack is checked")
	assert.Equal(t, readWorkflow(t, "deploy.yml").Concurrency.Group, w.Concurrency.Group, "never beside a deploy")
	assert.False(t, w.Concurrency.CancelInProgress)
	for _, s := range w.Jobs["drift"].Steps {
		if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@") {
			assert.Equal(t, previewRole, s.With["role-to-assume"])
		}
	}
}

// The fields docs/drift.md says are owned elsewhere are not in the desired state: the HPA-scaled
// Deployments set no replica count, and RDS's minor version is left to RDS.
func TestOwnedElsewhereFieldsAreNotInTheDesiredState(t *testing.T) {
	for _, stack := range stacktest.Stacks {
		res := stacktest.Run(t, stack, map[string]any{"dataplane.queue.enabled": true, "capacity.acceptRisk": "rendering"})
		scaled := map[string]bool{}
		for _, h := range res.ByType(hpaType) {
			scaled[h.In("spec.scaleTargetRef.name").(string)] = true
		}
		require.NotEmpty(t, scaled)
		for _, d := range res.ByType(deployment) {
			if scaled[d.In("metadata.name").(string)] {
				assert.False(t, d.Has("spec.replicas"), "%s: %s sets replicas the HPA owns", stack, d.Name)
			}
		}
		for _, db := range res.ByType(rdsType) {
			if db.Has("engineVersion") {
				assert.Contains(t, db.IgnoreChanges, "engineVersion", "%s: %s", stack, db.Name)
			}
		}
	}
	b, err := os.ReadFile(repoPath(t, "docs", "drift.md"))
	require.NoError(t, err)
	for _, test := range []string{"TestOwnedElsewhereFieldsAreNotInTheDesiredState", "TestScheduledMinimums"} {
		assert.Contains(t, string(b), test)
	}
}

// previewRole is how a matrix job names its stack's preview role: the repository variable the
// bootstrap program outputs (account.PreviewRoleVariable), looked up case-insensitively.
const previewRole = "${{ steps.role.outputs.arn }}"

// The workflows use the bootstrap's identities and its KMS secrets provider: previews and the
// drift check assume their stack's preview role, deploys the GitHub environment's deploy role, the
// backend is the bootstrap's bucket, and no passphrase is anywhere.
func TestWorkflowsUseTheBootstrapRolesAndKMSSecrets(t *testing.T) {
	assert.Equal(t, "AWS_PREVIEW_ROLE_ARN_PROD", account.PreviewRoleVariable("prod"))
	assert.Equal(t, "AWS_PREVIEW_ROLE_ARN_PROD_STANDBY", account.PreviewRoleVariable("prod-standby"), "the workflows' role step maps a stack name the same way (tr 'a-z-' 'A-Z_')")
	assert.Equal(t, "AWS_PREVIEW_ROLE_ARN_"+"{0}", strings.ToUpper(account.PreviewRoleVariable("{0}")))
	files, err := filepath.Glob(repoPath(t, ".github", "workflows", "*.yml"))
	require.NoError(t, err)
	for _, f := range files {
		raw, err := os.ReadFile(f)
		require.NoError(t, err)
		assert.NotContains(t, string(raw), "PASSPHRASE", "%s: the stacks' secrets provider is KMS (docs/bootstrap.md)", f)
		assert.NotContains(t, string(raw), "secrets.PULUMI_BACKEND_URL", "%s: the backend URL is the variable %s", f, account.BackendURLVariable)
	}
	roles := map[string]string{}
	for _, name := range []string{"pull-request.yml", "drift.yml", "deploy.yml", "standby-check.yml"} {
		w := readWorkflow(t, name)
		for jobName, job := range w.Jobs {
			for _, s := range job.Steps {
				if strings.HasPrefix(s.Uses, "aws-actions/configure-aws-credentials@") {
					roles[name+" "+jobName] = s.With["role-to-assume"]
					assert.Equal(t, "${{ vars."+account.RegionVariable+" }}", s.With["aws-region"])
				}
				if strings.HasPrefix(s.Uses, "pulumi/actions@") && s.With["command"] != "" {
					assert.Equal(t, "${{ vars."+account.BackendURLVariable+" }}", s.With["cloud-url"], "%s %s", name, jobName)
				}
			}
		}
	}
	assert.Equal(t, map[string]string{
		"pull-request.yml preview": previewRole,
		"drift.yml drift":          previewRole,
		"standby-check.yml check":  previewRole,
		"deploy.yml staging":       "${{ vars." + account.DeployRoleVariable + " }}",
		"deploy.yml prod":          "${{ vars." + account.DeployRoleVariable + " }}",
		"deploy.yml prod-standby":  "${{ vars." + account.DeployRoleVariable + " }}",
	}, roles)
	// A deploy's credentials last as long as the job may run, within the role's maximum session.
	for _, job := range []string{"staging", "prod"} {
		for _, st := range readWorkflow(t, "deploy.yml").Jobs[job].Steps {
			if strings.HasPrefix(st.Uses, "aws-actions/configure-aws-credentials@") {
				assert.Equal(t, "5400", st.With["role-duration-seconds"], job)
			}
		}
	}
	role := stacktest.One(t, runBootstrap(t, nil), "aws:iam/role:Role", "ci-langgraph-prod-deploy")
	assert.GreaterOrEqual(t, role.In("maxSessionDuration"), 5400.0)
	// Deploy jobs run in the GitHub environment the deploy role trusts (EnvironmentSubject).
	deploy := readWorkflow(t, "deploy.yml")
	boot := runBootstrap(t, nil)
	ghEnvs := map[string]any{}
	b, _ := json.Marshal(boot.Outputs["githubEnvironmentVariables"].Value)
	require.NoError(t, json.Unmarshal(b, &ghEnvs))
	for _, job := range []string{"staging", "prod"} {
		assert.Contains(t, ghEnvs, deploy.Jobs[job].Environment, "deploy job %s runs in a GitHub environment the bootstrap has a deploy role for", job)
	}
}

// A stack file that names its secrets provider names its environment's bootstrap key; a
// passphrase provider is refused.
func TestStackFilesUseTheKMSSecretsProvider(t *testing.T) {
	for _, stack := range stackFiles(t) {
		raw, err := os.ReadFile(repoPath(t, "Pulumi."+stack+".yaml"))
		require.NoError(t, err)
		var file struct {
			SecretsProvider string `yaml:"secretsprovider"`
			EncryptionSalt  string `yaml:"encryptionsalt"`
		}
		require.NoError(t, yaml.Unmarshal(raw, &file))
		assert.Empty(t, file.EncryptionSalt, "%s: a passphrase-encrypted stack; change-secrets-provider to KMS (docs/bootstrap.md)", stack)
		if file.SecretsProvider != "" {
			assert.True(t, strings.HasPrefix(file.SecretsProvider, "awskms://alias/"+account.SecretsKeyAlias(stack)+"?"), "%s: secretsprovider %s", stack, file.SecretsProvider)
		}
	}
}
