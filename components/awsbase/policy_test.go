package awsbase_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/components/awsbase"
)

var account = awsbase.Account{ID: "123456789012", Partition: "aws", Region: "eu-west-1"}

func TestServiceTrustCarriesTheConfusedDeputyConditions(t *testing.T) {
	doc, err := awsbase.ServiceTrust("vpc-flow-logs.amazonaws.com", account, "").JSON()
	require.NoError(t, err)
	assert.JSONEq(t, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"vpc-flow-logs.amazonaws.com"},
		"Action":["sts:AssumeRole"],"Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}`, doc)

	// A known source resource: compared exactly, or as a pattern when it has one.
	exact := awsbase.ServiceTrust("pods.eks.amazonaws.com", account, account.ARN("eks", account.Region, account.ID, "cluster/c"), "sts:AssumeRole", "sts:TagSession")
	assert.Equal(t, awsbase.Conditions{
		"StringEquals": {"aws:SourceAccount": "123456789012"},
		"ArnEquals":    {"aws:SourceArn": "arn:aws:eks:eu-west-1:123456789012:cluster/c"},
	}, exact.Statement[0].Condition)
	assert.Equal(t, []string{"sts:AssumeRole", "sts:TagSession"}, exact.Statement[0].Action)
	pattern := awsbase.OnBehalfOf(account, "arn:aws:rds:*:123456789012:db:*")
	assert.Equal(t, map[string]any{"aws:SourceArn": "arn:aws:rds:*:123456789012:db:*"}, pattern["ArnLike"])
	assert.NotContains(t, pattern, "ArnEquals")
}

// Services handed a role with iam:PassRole send no source keys: a condition would lock them out.
func TestPassedRoleServicesTrustWithoutSourceKeys(t *testing.T) {
	for service := range awsbase.PassedRoleServices {
		assert.Empty(t, awsbase.ServiceTrust(service, account, "").Statement[0].Condition, service)
	}
}

func TestPodIdentityAndIRSATrust(t *testing.T) {
	pod := awsbase.PodIdentityTrust(account, "c").Statement[0]
	assert.Equal(t, "EKSPodIdentity", pod.Sid)
	assert.Equal(t, map[string]string{"Service": "pods.eks.amazonaws.com"}, pod.Principal)
	assert.Equal(t, "arn:aws:eks:eu-west-1:123456789012:cluster/c", pod.Condition["ArnEquals"]["aws:SourceArn"])

	irsa := awsbase.IRSATrust(account, "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC", "ns", "sa").Statement[0]
	assert.Equal(t, map[string]string{"Federated": "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"}, irsa.Principal)
	assert.Equal(t, "system:serviceaccount:ns:sa", irsa.Condition["StringEquals"]["oidc.eks.eu-west-1.amazonaws.com/id/ABC:sub"])
	assert.Equal(t, "sts.amazonaws.com", irsa.Condition["StringEquals"]["oidc.eks.eu-west-1.amazonaws.com/id/ABC:aud"])
}
