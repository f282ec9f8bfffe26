package account

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/kms"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
	platform "github.com/langgraph-platform/infra/config"
)

// stateRoot is where the Pulumi CLI keeps everything in a DIY backend's bucket.
const stateRoot = ".pulumi"

// StatePaths are the object keys one stack's state occupies in a DIY backend with the
// project-scoped layout (Pulumi CLI v3.61 and later; read from pkg/backend/diy, store.go and
// lock.go, of v3.274.1): the checkpoint (.json, .json.gz, .json.zst, .json.bak), its history
// and backups, and its update locks. Patterns, for IAM resource ARNs.
func StatePaths(stack string) []string {
	p := platform.ProjectName
	return []string{
		fmt.Sprintf("%s/stacks/%s/%s.json*", stateRoot, p, stack),
		fmt.Sprintf("%s/history/%s/%s/*", stateRoot, p, stack),
		fmt.Sprintf("%s/backups/%s/%s/*", stateRoot, p, stack),
		fmt.Sprintf("%s/locks/organization/%s/%s/*", stateRoot, p, stack),
	}
}

// BackendMetadata is the backend's metadata file, which every CLI command reads.
const BackendMetadata = stateRoot + "/meta.yaml"

// ARNMatch says whether s matches an IAM resource pattern, where '*' matches any run of
// characters ('/' included) and '?' any one character.
func ARNMatch(pattern, s string) bool {
	var re strings.Builder
	re.WriteString("^")
	for _, r := range pattern {
		switch r {
		case '*':
			re.WriteString(".*")
		case '?':
			re.WriteString(".")
		default:
			re.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	re.WriteString("$")
	return regexp.MustCompile(re.String()).MatchString(s)
}

// stateBackend is the bucket the platform's stacks keep their state in, its key, and its
// access-log bucket.
type stateBackend struct {
	bucket *s3.BucketV2
	key    *kms.Key
}

// newStateBackend creates the state bucket: versioned (every checkpoint's earlier versions kept
// for StateVersionDays), SSE-KMS under its own key, public access blocked,
// TLS-only, its access logged to a second bucket (SSE-S3: S3 server access logging cannot write
// to SSE-KMS buckets) kept AccessLogDays.
func newStateBackend(ctx *pulumi.Context, cfg *Config, account awsbase.Account, tags map[string]string) (*stateBackend, error) {
	key, err := awsbase.NewKey(ctx, "pulumi-state", awsbase.KeyArgs{
		Description: "Encrypts the Pulumi state bucket of the langgraph platform's stacks.",
		Alias:       "pulumi-state",
		Account:     account,
		Tags:        tags,
	}, pulumi.Protect(true))
	if err != nil {
		return nil, err
	}
	logs, err := awsbase.NewPrivateBucket(ctx, "pulumi-state-access-logs", awsbase.BucketArgs{
		Tags: pulumi.ToStringMap(tags), ExpireDays: cfg.AccessLogDays,
	})
	if err != nil {
		return nil, err
	}
	bucket, err := awsbase.NewPrivateBucket(ctx, "pulumi-state", awsbase.BucketArgs{
		Tags: pulumi.ToStringMap(tags), KMSKeyID: key.Arn, NoncurrentDays: cfg.StateVersionDays,
	}, pulumi.Protect(true))
	if err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketLoggingV2(ctx, "pulumi-state", &s3.BucketLoggingV2Args{
		Bucket:       bucket.ID(),
		TargetBucket: logs.ID(),
		TargetPrefix: pulumi.String("pulumi-state/"),
	}); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPolicy(ctx, "pulumi-state", &s3.BucketPolicyArgs{
		Bucket: bucket.ID(),
		Policy: bucket.Arn.ApplyT(func(arn string) (string, error) { return awsbase.Policy(tlsOnly(arn)).JSON() }).(pulumi.StringOutput),
	}); err != nil {
		return nil, err
	}
	if _, err := s3.NewBucketPolicy(ctx, "pulumi-state-access-logs", &s3.BucketPolicyArgs{
		Bucket: logs.ID(),
		Policy: pulumi.All(logs.Arn, bucket.Arn).ApplyT(func(a []any) (string, error) {
			return accessLogPolicy(a[0].(string), a[1].(string), account)
		}).(pulumi.StringOutput),
	}); err != nil {
		return nil, err
	}
	return &stateBackend{bucket: bucket, key: key}, nil
}

// tlsOnly refuses every request to the bucket not made over TLS.
func tlsOnly(bucketArn string) awsbase.Statement {
	return awsbase.Statement{
		Sid: "TLSOnly", Effect: awsbase.Deny, Principal: awsbase.AnyPrincipal,
		Action:    []string{"s3:*"},
		Resource:  []string{bucketArn, bucketArn + "/*"},
		Condition: awsbase.Conditions{"Bool": {"aws:SecureTransport": "false"}},
	}
}

// accessLogPolicy lets S3's log delivery write the state bucket's logs, for this account and
// that bucket only (the S3 User Guide's server access logging policy), over TLS only.
func accessLogPolicy(logsArn, sourceArn string, account awsbase.Account) (string, error) {
	return awsbase.Policy(
		awsbase.Statement{
			Sid: "S3ServerAccessLogs", Effect: awsbase.Allow,
			Principal: awsbase.Service("logging.s3.amazonaws.com"),
			Action:    []string{"s3:PutObject"},
			Resource:  []string{logsArn + "/pulumi-state/*"},
			Condition: awsbase.OnBehalfOf(account, sourceArn),
		},
		tlsOnly(logsArn),
	).JSON()
}
