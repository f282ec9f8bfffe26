package account

import (
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// GitHubIssuer is GitHub Actions' OIDC token issuer; its audience for AWS is STS.
const (
	GitHubIssuer   = "token.actions.githubusercontent.com"
	GitHubAudience = "sts.amazonaws.com"
)

// The OIDC subjects GitHub puts in a workflow job's token (GitHub's "About security hardening
// with OpenID Connect", default subject claims): a job with an environment is
// repo:<owner/name>:environment:<name>; without one, a pull request's is
// repo:<owner/name>:pull_request and a push's or schedule's repo:<owner/name>:ref:<ref>.

// PullRequestSubject is every pull request of the repository (forks get no token).
func PullRequestSubject(repo string) string { return "repo:" + repo + ":pull_request" }

// MainBranchSubject is a job on the main branch without an environment (the drift check).
func MainBranchSubject(repo string) string { return "repo:" + repo + ":ref:refs/heads/main" }

// EnvironmentSubject is a job running in the GitHub environment; the environment's deployment
// branch rule (main only) is what ties it to the main branch, and docs/bootstrap.md has it set.
func EnvironmentSubject(repo, environment string) string {
	return "repo:" + repo + ":environment:" + environment
}

// gitHubTrust lets GitHub's OIDC tokens with exactly these subjects assume the role.
func gitHubTrust(providerArn string, subjects ...string) awsbase.PolicyDocument {
	var sub any = subjects
	if len(subjects) == 1 {
		sub = subjects[0]
	}
	return awsbase.Policy(awsbase.Statement{
		Sid: "GitHubActions", Effect: awsbase.Allow,
		Principal: map[string]string{"Federated": providerArn},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: awsbase.Conditions{"StringEquals": {
			GitHubIssuer + ":aud": GitHubAudience,
			GitHubIssuer + ":sub": sub,
		}},
	})
}

// newGitHubProvider registers GitHub's OIDC issuer. AWS validates its certificate against its
// own trusted CAs since 2023, so no thumbprint is pinned.
func newGitHubProvider(ctx *pulumi.Context, tags map[string]string) (*iam.OpenIdConnectProvider, error) {
	return iam.NewOpenIdConnectProvider(ctx, "github-actions", &iam.OpenIdConnectProviderArgs{
		Url:           pulumi.String("https://" + GitHubIssuer),
		ClientIdLists: pulumi.StringArray{pulumi.String(GitHubAudience)},
		Tags:          pulumi.ToStringMap(tags),
	})
}

// RoleName is a CI role's name: outside every environment's langgraph-<env>- prefix, so no
// deploy role can change a CI role.
func RoleName(env, kind string) string { return "ci-langgraph-" + env + "-" + kind }

// SecretsKeyAlias is the alias of an environment's awskms:// secrets provider key.
func SecretsKeyAlias(env string) string { return "ci-langgraph-" + env + "-secrets" }

// PreviewRoleVariable is the repository variable the workflows read an environment's preview
// role from; the deploy role is the GitHub environment's AWS_DEPLOY_ROLE_ARN.
func PreviewRoleVariable(env string) string {
	return "AWS_PREVIEW_ROLE_ARN_" + strings.ToUpper(strings.ReplaceAll(env, "-", "_"))
}

// Repository and environment variables the workflows read (docs/bootstrap.md sets them).
const (
	DeployRoleVariable = "AWS_DEPLOY_ROLE_ARN"
	BackendURLVariable = "PULUMI_BACKEND_URL"
	RegionVariable     = "AWS_REGION"
)

// The two CI roles of an environment.
const (
	previewKind = "preview"
	deployKind  = "deploy"
)
