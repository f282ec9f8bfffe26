// Package account is the bootstrap program: what an AWS account needs before the platform's
// stacks can be previewed and deployed from CI. A DIY state backend (an S3 bucket under its own
// KMS key, versioned, TLS-only, access-logged), one awskms:// secrets-provider key per
// environment, GitHub's OIDC provider, and per environment a preview role (pull requests and the
// drift check: read, decrypt) and a deploy role (the GitHub environment: write what the stack
// creates, scoped by name or by the environment tag). docs/bootstrap.md is the user's guide.
package account

import (
	"fmt"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
	platform "github.com/langgraph-platform/infra/config"
)

// Build creates the account's bootstrap resources and returns the stack outputs.
func Build(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
	cfg, err := Load(ctx)
	if err != nil {
		return nil, err
	}
	account, err := awsbase.LookupAccount(ctx)
	if err != nil {
		return nil, err
	}
	tags := map[string]string{
		"Project": platform.ProjectName, "Owner": cfg.Owner, "CostCenter": cfg.CostCenter,
		"ManagedBy": "pulumi", "Purpose": "ci-bootstrap", platform.EnvironmentTag: SharedEnvironment,
	}
	state, err := newStateBackend(ctx, cfg, account, tags)
	if err != nil {
		return nil, err
	}
	provider, err := newGitHubProvider(ctx, tags)
	if err != nil {
		return nil, err
	}
	backendURL := state.bucket.Bucket.ApplyT(func(b string) string {
		return fmt.Sprintf("s3://%s?region=%s", b, account.Region)
	}).(pulumi.StringOutput)

	environments := pulumi.Map{}
	repositoryVariables := pulumi.StringMap{
		BackendURLVariable: backendURL,
		RegionVariable:     pulumi.String(account.Region),
	}
	environmentVariables := pulumi.Map{}
	for _, env := range cfg.Environments {
		e, err := newEnvironment(ctx, cfg, env, account, tags, state, provider)
		if err != nil {
			return nil, err
		}
		environments[env.Name] = pulumi.StringMap{
			"secretsProvider":   pulumi.String(fmt.Sprintf("awskms://alias/%s?region=%s", SecretsKeyAlias(env.Name), account.Region)),
			"previewRoleArn":    e.preview.Arn,
			"deployRoleArn":     e.deploy.Arn,
			"githubEnvironment": pulumi.String(env.GitHubEnvironment),
		}
		repositoryVariables[PreviewRoleVariable(env.Name)] = e.preview.Arn
		environmentVariables[env.GitHubEnvironment] = pulumi.StringMap{DeployRoleVariable: e.deploy.Arn}
	}
	return map[string]pulumi.Output{
		"backendUrl":                 backendURL,
		"stateBucket":                state.bucket.Bucket,
		"githubOidcProviderArn":      provider.Arn,
		"environments":               environments.ToMapOutput(),
		"githubRepositoryVariables":  repositoryVariables.ToStringMapOutput(),
		"githubEnvironmentVariables": environmentVariables.ToMapOutput(),
	}, nil
}

// environmentRoles are one environment's CI roles.
type environmentRoles struct {
	preview, deploy *iam.Role
}

// newEnvironment creates an environment's secrets key and its preview and deploy roles.
func newEnvironment(ctx *pulumi.Context, cfg *Config, env Environment, account awsbase.Account, tags map[string]string,
	state *stateBackend, provider *iam.OpenIdConnectProvider) (*environmentRoles, error) {
	envTags := map[string]string{}
	for k, v := range tags {
		envTags[k] = v
	}
	envTags[platform.EnvironmentTag] = env.Name
	key, err := awsbase.NewKey(ctx, SecretsKeyAlias(env.Name), awsbase.KeyArgs{
		Description: fmt.Sprintf("Encrypts the config secrets of the %s stack (its awskms:// secrets provider).", env.Name),
		Alias:       SecretsKeyAlias(env.Name),
		Account:     account,
		Tags:        envTags,
	}, pulumi.Protect(true))
	if err != nil {
		return nil, err
	}
	n := names{account: account, env: env.Name, prefix: platform.ResourcePrefix(env.Name), cluster: env.Cluster, regions: env.Regions, reads: env.Reads}
	refs := pulumi.All(state.bucket.Arn, state.key.Arn, key.Arn)
	roles := &environmentRoles{}
	for _, kind := range []string{previewKind, deployKind} {
		subjects := []string{PullRequestSubject(cfg.Repository), MainBranchSubject(cfg.Repository)}
		if kind == deployKind {
			subjects = []string{EnvironmentSubject(cfg.Repository, env.GitHubEnvironment)}
		}
		// The provider's ARN is known before it exists, so a preview shows the whole trust.
		trust, err := gitHubTrust(account.ARN("iam", "", account.ID, "oidc-provider/"+GitHubIssuer), subjects...).JSON()
		if err != nil {
			return nil, err
		}
		role, err := iam.NewRole(ctx, RoleName(env.Name, kind), &iam.RoleArgs{
			Name:               pulumi.String(RoleName(env.Name, kind)),
			Description:        pulumi.String(fmt.Sprintf("GitHub Actions' %s of the %s stack (%s)", kind, env.Name, cfg.Repository)),
			AssumeRolePolicy:   pulumi.String(trust),
			MaxSessionDuration: pulumi.Int(2 * 3600),
			Tags:               pulumi.ToStringMap(envTags),
		}, pulumi.DependsOn([]pulumi.Resource{provider}))
		if err != nil {
			return nil, err
		}
		if _, err := iam.NewRolePolicy(ctx, RoleName(env.Name, kind), &iam.RolePolicyArgs{
			Role: role.Name,
			Policy: refs.ApplyT(func(a []any) (string, error) {
				r := stateRefs{bucketArn: a[0].(string), stateKeyArn: a[1].(string), secretsKeyArn: a[2].(string)}
				if kind == deployKind {
					return deployPolicy(n, r).JSON()
				}
				return previewPolicy(n, r).JSON()
			}).(pulumi.StringOutput),
		}); err != nil {
			return nil, err
		}
		if kind == deployKind {
			roles.deploy = role
			if err := attachWrites(ctx, n, role, envTags); err != nil {
				return nil, err
			}
		} else {
			roles.preview = role
		}
	}
	return roles, nil
}

// attachWrites attaches the deploy role's service writes as managed policies.
func attachWrites(ctx *pulumi.Context, n names, role *iam.Role, tags map[string]string) error {
	docs, err := writePolicies(n)
	if err != nil {
		return err
	}
	for i, d := range docs {
		name := fmt.Sprintf("%s-writes-%d", RoleName(n.env, deployKind), i+1)
		text, err := d.JSON()
		if err != nil {
			return err
		}
		policy, err := iam.NewPolicy(ctx, name, &iam.PolicyArgs{
			Name:        pulumi.String(name),
			Description: pulumi.String(fmt.Sprintf("What the %s stack's deploy writes (%d of %d).", n.env, i+1, len(docs))),
			Policy:      pulumi.String(text),
			Tags:        pulumi.ToStringMap(tags),
		})
		if err != nil {
			return err
		}
		if _, err := iam.NewRolePolicyAttachment(ctx, name, &iam.RolePolicyAttachmentArgs{Role: role.Name, PolicyArn: policy.Arn}); err != nil {
			return err
		}
	}
	return nil
}
