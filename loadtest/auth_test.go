package loadtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/langgraph-platform/infra/loadtest"
	"github.com/langgraph-platform/infra/loadtest/fakeapi"
)

// When the stack requires a credential, the preflight proves the server refuses a call without
// it before any user starts, and records the answer; a server that lets anyone in stops the test.
func TestPreflightProvesTheServerRefusesAnonymousCalls(t *testing.T) {
	ctx := context.Background()
	locked := fakeapi.New(11)
	locked.APIKey, locked.AuthHeader = "the-key", "Authorization"
	o := options(serve(t, locked), 1, 0, time.Second, 0)
	o.APIKey, o.AuthHeader, o.AuthRequired = "the-key", "Authorization", true
	result, err := loadtest.Preflight(ctx, &o)
	require.NoError(t, err)
	assert.Equal(t, 401, result.UnauthenticatedStatus)
	assert.Equal(t, int64(1), locked.Threads.Load(), "only the authenticated thread was created")

	open := fakeapi.New(12)
	o.BaseURL = serve(t, open)
	result, err = loadtest.Preflight(ctx, &o)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "the server accepted a thread request without Authorization (answered 200)")
	assert.Equal(t, 200, result.UnauthenticatedStatus, "the report records what the server answered")

	// Without a stack that requires a credential, nothing is probed.
	o.AuthRequired = false
	result, err = loadtest.Preflight(ctx, &o)
	require.NoError(t, err)
	assert.Zero(t, result.UnauthenticatedStatus)

	// A stack that requires a credential with no key to send is a usage error.
	o.AuthRequired, o.APIKey = true, ""
	require.ErrorContains(t, o.Validate(), "-api-key-env=<empty>: the stack requires a credential")
}

// The run requests carry the key in the stack's header.
func TestRequestsCarryTheKeyInTheStacksHeader(t *testing.T) {
	locked := fakeapi.New(13)
	locked.APIKey, locked.AuthHeader = "k", "X-Custom-Auth"
	o := options(serve(t, locked), 5, 0, 300*time.Millisecond, 10*time.Millisecond)
	o.APIKey, o.AuthHeader, o.AuthRequired = "k", "X-Custom-Auth", true
	res, err := loadtest.Run(context.Background(), o)
	require.NoError(t, err)
	assert.Positive(t, res.RunsOK)
	assert.Zero(t, res.FailedRequests)
}

// A server whose custom auth checks /ok too (LangChain's JavaScript server does) passes the
// preflight: /ok is sent with the credential.
func TestPreflightSendsTheCredentialToOK(t *testing.T) {
	locked := fakeapi.New(14)
	locked.APIKey, locked.AuthOK = "k", true
	o := options(serve(t, locked), 1, 0, time.Second, 0)
	o.APIKey, o.AuthRequired = "k", true
	_, err := loadtest.Preflight(context.Background(), &o)
	require.NoError(t, err)
	o.APIKey = "wrong"
	_, err = loadtest.Preflight(context.Background(), &o)
	require.ErrorContains(t, err, "answered 403")
}
