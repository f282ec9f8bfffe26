package notifications_test

import (
	"encoding/json"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/components/awsbase"
	"github.com/langgraph-platform/infra/components/notifications"
	"github.com/langgraph-platform/infra/internal/harness"
	"github.com/langgraph-platform/infra/internal/stacktest"
)

var account = awsbase.Account{ID: harness.AccountID, Partition: "aws", Region: "us-east-1"}

// build runs the component alone on the mock engine.
func build(t *testing.T, args notifications.Args) *harness.Result {
	t.Helper()
	res, err := harness.Run(func(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
		n, err := notifications.New(ctx, "test-notifications", args)
		if err != nil {
			return nil, err
		}
		return map[string]pulumi.Output{"topicArn": n.TopicARN}, nil
	}, harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets()})
	require.NoError(t, err)
	return res
}

// The topic: its own key, every publisher allowed on this account's behalf only, each email
// subscribed; the publishers may use the key.
func TestTopicPublishersAndSubscribers(t *testing.T) {
	res := build(t, notifications.Args{Account: account, Emails: []string{"a@example.com", "b@example.com"}, Tags: map[string]string{"Environment": "test"}})
	topic := stacktest.One(t, res, "aws:sns/topic:Topic", "-notifications-topic")
	key := stacktest.One(t, res, "aws:kms/key:Key", "-notifications-key")
	assert.Equal(t, key.Out("arn"), topic.In("kmsMasterKeyId"))
	assert.Equal(t, true, key.In("enableKeyRotation"))

	var policy awsbase.PolicyDocument
	require.NoError(t, json.Unmarshal([]byte(stacktest.One(t, res, "aws:sns/topicPolicy:TopicPolicy", "-notifications-topic").In("policy").(string)), &policy))
	require.Len(t, policy.Statement, len(notifications.Publishers))
	for i, p := range notifications.Publishers {
		st := policy.Statement[i]
		assert.Equal(t, map[string]any{"Service": p.Principal}, st.Principal)
		assert.Equal(t, []string{"sns:Publish"}, st.Action)
		assert.Equal(t, []string{topic.Out("arn").(string)}, st.Resource)
		assert.Equal(t, map[string]any{"aws:SourceAccount": harness.AccountID}, st.Condition["StringEquals"], p.Principal)
		assert.Contains(t, key.In("policy"), `"Service":"`+p.Principal+`"`, "%s publishes to the encrypted topic: it needs the key", p.Principal)
	}
	for i, email := range []string{"a@example.com", "b@example.com"} {
		sub := stacktest.One(t, res, "aws:sns/topicSubscription:TopicSubscription", "-notifications-email-"+string(rune('1'+i)))
		assert.Equal(t, "email", sub.In("protocol"))
		assert.Equal(t, email, sub.In("endpoint"))
		assert.Equal(t, topic.Out("arn"), sub.In("topic"))
	}
}

// A stack whose topic the database component owned keeps it: each resource carries an alias
// to its old name under the old parent, so the first update moves it instead of replacing it
// (and the subscribers need not confirm again).
func TestMovedTopicKeepsItsIdentity(t *testing.T) {
	old := "urn:pulumi:test::p::langgraph:aws:Database::langgraph-test-db"
	res := build(t, notifications.Args{Account: account, Emails: []string{"a@example.com"},
		Moved: &notifications.Moved{ParentURN: pulumi.URN(old), Prefix: "langgraph-test-db"}})
	for typ, name := range map[string]string{
		"aws:sns/topic:Topic": "langgraph-test-db-events", "aws:sns/topicPolicy:TopicPolicy": "langgraph-test-db-events",
		"aws:sns/topicSubscription:TopicSubscription": "langgraph-test-db-events-email-1",
	} {
		r := stacktest.One(t, res, typ, "")
		assert.Equal(t, []string{`spec:{name:"` + name + `" parentUrn:"` + old + `"}`}, r.AliasURNs, typ)
	}
	assert.Empty(t, stacktest.One(t, build(t, notifications.Args{Account: account}), "aws:sns/topic:Topic", "").AliasURNs, "a new stack has nothing to move")
}

func TestArgsAreValidated(t *testing.T) {
	_, err := harness.Run(func(ctx *pulumi.Context) (map[string]pulumi.Output, error) {
		_, err := notifications.New(ctx, "bad", notifications.Args{Account: awsbase.Account{ID: harness.AccountID}, Emails: []string{"Ops <ops@example.com>", "not-an-address"}})
		return nil, err
	}, harness.Options{Stack: "prod", Secrets: harness.DefaultSecrets()})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "notifications.Args.Account")
	assert.Contains(t, err.Error(), `"Ops <ops@example.com>" is not a plain email address`)
	assert.Contains(t, err.Error(), `"not-an-address"`)
}
