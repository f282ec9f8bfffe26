package harness_test

import (
	"testing"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-random/sdk/v4/go/random"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/internal/harness"
)

type box struct{ pulumi.ResourceState }

// probe registers a component with children using the options the harness must record.
func probe(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
	c := &box{}
	if err := ctx.RegisterComponentResource("test:index:Box", "box", c); err != nil {
		return nil, err
	}
	pw, err := random.NewRandomPassword(ctx, "pw", &random.RandomPasswordArgs{Length: pulumi.Int(20), Special: pulumi.Bool(false)}, pulumi.Parent(c))
	if err != nil {
		return nil, err
	}
	key, err := kms.NewKey(ctx, "key", &kms.KeyArgs{Description: pw.Result}, pulumi.Parent(c), pulumi.Protect(true),
		pulumi.IgnoreChanges([]string{"tags"}), pulumi.DependsOn([]pulumi.Resource{pw}))
	if err != nil {
		return nil, err
	}
	zones, err := aws.GetAvailabilityZones(ctx, nil)
	if err != nil {
		return nil, err
	}
	region, err := aws.GetRegion(ctx, nil)
	if err != nil {
		return nil, err
	}
	return map[string]pulumi.Output{
		"keyArn":   key.Arn,
		"password": pw.Result,
		"zones":    pulumi.ToStringArray(zones.Names).ToStringArrayOutput(),
		"region":   pulumi.String(region.Name).ToStringOutput(),
		"secretOk": pulumi.ToSecret(pulumi.String("x")),
	}, ctx.RegisterResourceOutputs(c, pulumi.Map{})
}

func TestHarnessRecordsRegistrations(t *testing.T) {
	res, err := harness.Run(probe, harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets()})
	require.NoError(t, err)
	require.Len(t, res.Resources, 3)

	comp := res.Get("test:index:Box", "box")
	require.NotNil(t, comp)
	assert.False(t, comp.Custom)
	assert.Equal(t, "urn:pulumi:prod::langgraph-platform::test:index:Box::box", comp.URN)

	key := res.Get("aws:kms/key:Key", "key")
	require.NotNil(t, key)
	assert.Equal(t, comp.URN, key.Parent)
	assert.Equal(t, "urn:pulumi:prod::langgraph-platform::test:index:Box$aws:kms/key:Key::key", key.URN)
	assert.True(t, key.Protect)
	assert.Equal(t, []string{"tags"}, key.IgnoreChanges)
	pw := res.Get("random:index/randomPassword:RandomPassword", "pw")
	assert.Contains(t, key.Dependencies, pw.URN)
	assert.ElementsMatch(t, []*harness.Resource{pw, key}, res.Children(comp.URN))

	// The engine makes RandomPassword.result secret (additionalSecretOutputs); so does the mock,
	// and secretness flows into inputs built from it.
	assert.True(t, pw.Outputs["result"].IsSecret())
	assert.True(t, key.Inputs["description"].IsSecret())
	assert.Len(t, pw.Outputs["result"].SecretValue().Element.StringValue(), 20)

	// Provider-computed outputs are explicit placeholders.
	assert.Equal(t, harness.Output{Value: "<computed: aws:kms/key:Key key.arn>"}, res.Outputs["keyArn"])
	assert.True(t, res.Outputs["password"].Secret)
	assert.True(t, res.Outputs["secretOk"].Secret)

	// Invokes answer for the stack's region (aws:region in Pulumi.prod.yaml).
	assert.Equal(t, "us-east-1", res.Outputs["region"].Value)
	assert.Equal(t, []string{"us-east-1a", "us-east-1b", "us-east-1c"}, res.Outputs["zones"].Value)
}

func TestHarnessPassesConfigAsTheCLIDoes(t *testing.T) {
	sc, err := harness.LoadStackConfig(harness.Options{Stack: "staging", Secrets: map[string]string{"langsmithApiKey": "k"}})
	require.NoError(t, err)
	assert.Equal(t, "langgraph-platform", sc.Project)
	assert.Equal(t, []string{"langgraph-platform:langsmithApiKey"}, sc.SecretKeys)
	assert.Equal(t, "staging", sc.Values["langgraph-platform:environment"])
	assert.JSONEq(t, `{"owner":"platform-team","costCenter":"cc-4471"}`, sc.Values["langgraph-platform:tags"])
	// A key the stack leaves out gets Pulumi.yaml's default, as the CLI applies it.
	prod, err := harness.LoadStackConfig(harness.Options{Stack: "prod"})
	require.NoError(t, err)
	assert.Contains(t, prod.Values["langgraph-platform:kpi"], `"concurrentUsers":5000`)
	assert.Equal(t, "", prod.Values["langgraph-platform:kubeconfig"])
	// --path changes apply inside objects and keep the other fields.
	changed, err := harness.LoadStackConfig(harness.Options{Stack: "prod", Set: map[string]any{"hpa.minReplicas": 12}})
	require.NoError(t, err)
	assert.Contains(t, changed.Values["langgraph-platform:hpa"], `"minReplicas":12`)
	assert.Contains(t, changed.Values["langgraph-platform:hpa"], `"maxReplicas":50`)
}

func TestHarnessRejectsUnknownStackAndInvoke(t *testing.T) {
	_, err := harness.Run(probe, harness.Options{Stack: "qa"})
	require.ErrorContains(t, err, `unknown stack "qa"`)
	_, err = harness.Run(func(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
		_, err := aws.GetBillingServiceAccount(ctx, nil)
		return nil, err
	}, harness.Options{Stack: "prod"})
	require.ErrorContains(t, err, "no answer for invoke aws:index/getBillingServiceAccount")
}
