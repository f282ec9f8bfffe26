// Package awsclient makes the AWS SDK clients the operator commands share (cmd/gameday,
// cmd/failover) where a client needs more than the SDK's defaults.
package awsclient

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwschemas "github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// NewCloudWatch is a CloudWatch client on the awsQuery protocol: CloudWatch has served it from
// the start and still does, beside the RPC v2 CBOR the SDK picks since 2025, which moto 5.2.5
// (the end-to-end tests' emulation) does not route.
func NewCloudWatch(cfg aws.Config) *cloudwatch.Client {
	return cloudwatch.NewFromConfig(cfg, func(o *cloudwatch.Options) { o.Protocol = awsquery.New(cwschemas.GraniteServiceVersion20100801) })
}
