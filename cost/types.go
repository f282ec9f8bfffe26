package cost

import "strings"

// PricedBy maps each resource type the program creates that adds to the bill to the estimate's
// line (item prefix) that prices it.
var PricedBy = map[string]string{
	"aws:rds/instance:Instance":                         "RDS ",
	"aws:elasticache/replicationGroup:ReplicationGroup": "ElastiCache ",
	"aws:wafv2/webAcl:WebAcl":                           "WAF ",
	"aws:cloudwatch/logGroup:LogGroup":                  "CloudWatch Logs ",
	"aws:cloudwatch/metricAlarm:MetricAlarm":            "CloudWatch alarms",
	"aws:secretsmanager/secret:Secret":                  "Secrets Manager",
	"aws:kms/key:Key":                                   "KMS keys",
	"aws:s3/bucketV2:BucketV2":                          "S3 ALB access logs",
	// The Deployment's pods occupy nodes; the Ingress makes the controller create the ALB.
	"kubernetes:apps/v1:Deployment":           " pods on ",
	"kubernetes:networking.k8s.io/v1:Ingress": "Application Load Balancer",
	// Disaster recovery (package recovery).
	"aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication": "DR: replicated automated backups",
	"aws:backup/vault:Vault":                                 "DR: AWS Backup recovery points",
	"aws:backup/plan:Plan":                                   "DR: AWS Backup recovery points",
	"aws:backup/restoreTestingPlan:RestoreTestingPlan":       "DR: restore drill",
	"aws:s3/bucketReplicationConfig:BucketReplicationConfig": "DR: backups and logs shipped",
	// A created cluster (cluster.mode create).
	"aws:eks/cluster:Cluster":         "EKS control plane",
	"aws:eks/nodeGroup:NodeGroup":     "EKS system node group",
	"aws:ec2/natGateway:NatGateway":   "NAT gateways",
	"aws:ec2/eip:Eip":                 "Public IPv4 addresses",
	"aws:ec2/vpcEndpoint:VpcEndpoint": "VPC interface endpoints",
	"aws:ec2/flowLog:FlowLog":         "CloudWatch Logs ",
}

// NotBilled gives, for every other resource type the program creates, why the estimate has no
// line for it: AWS does not charge for it, or another line covers it, or it is outside the model.
var NotBilled = map[string]string{
	"aws:budgets/budget:Budget":                                                                  "budgets without actions are free",
	"aws:costexplorer/anomalyMonitor:AnomalyMonitor":                                             "Cost Anomaly Detection is free",
	"aws:costexplorer/anomalySubscription:AnomalySubscription":                                   "Cost Anomaly Detection is free",
	"aws:costexplorer/costAllocationTag:CostAllocationTag":                                       "activating a cost allocation tag is free",
	"aws:ec2/securityGroup:SecurityGroup":                                                        "security groups are free",
	"aws:eks/podIdentityAssociation:PodIdentityAssociation":                                      "EKS Pod Identity is free",
	"aws:elasticache/parameterGroup:ParameterGroup":                                              "parameter groups are free",
	"aws:elasticache/subnetGroup:SubnetGroup":                                                    "subnet groups are free",
	"aws:rds/parameterGroup:ParameterGroup":                                                      "parameter groups are free",
	"aws:rds/subnetGroup:SubnetGroup":                                                            "subnet groups are free",
	"aws:rds/eventSubscription:EventSubscription":                                                "RDS event subscriptions are free (the SNS deliveries: see the topic)",
	"aws:iam/policy:Policy":                                                                      "IAM is free",
	"aws:iam/role:Role":                                                                          "IAM is free",
	"aws:iam/rolePolicyAttachment:RolePolicyAttachment":                                          "IAM is free",
	"aws:kms/alias:Alias":                                                                        "aliases are free; the key is priced",
	"aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2":                       "bucket configuration is free; the stored logs are priced",
	"aws:s3/bucketOwnershipControls:BucketOwnershipControls":                                     "bucket configuration is free",
	"aws:s3/bucketPolicy:BucketPolicy":                                                           "bucket configuration is free",
	"aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":                                     "bucket configuration is free",
	"aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2": "SSE-S3 is free",
	"aws:s3/bucketVersioningV2:BucketVersioningV2":                                               "versioning is free; the access logs are written once and never overwritten",
	"aws:secretsmanager/secretVersion:SecretVersion":                                             "versions are free; the secret is priced",
	"aws:sns/topic:Topic":                                                                        "the first million publishes a month are free: alarms, events and budget alerts are a few hundred",
	"aws:sns/topicPolicy:TopicPolicy":                                                            "free",
	"aws:sns/topicSubscription:TopicSubscription":                                                "the first 1,000 e-mail notifications a month are free",
	"aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration":                            "the logs it writes are priced as CloudWatch Logs",
	"aws:backup/selection:Selection":                                                             "a selection is free; the recovery points are priced",
	"aws:backup/restoreTestingSelection:RestoreTestingSelection":                                 "a selection is free; the drill's instance is priced",
	"aws:cloudwatch/eventRule:EventRule":                                                         "EventBridge does not charge for AWS services' events",
	"aws:cloudwatch/eventTarget:EventTarget":                                                     "EventBridge does not charge for AWS services' events (SNS deliveries: see the topic)",
	"pulumi:providers:aws":                                                                       "a provider, not a resource",
	"random:index/randomPassword:RandomPassword":                                                 "generated locally",
	"pulumi:providers:kubernetes":                                                                "a provider, not a resource",
	"kubernetes:helm.sh/v3:Release":                                                              "not modelled: the monitoring stack and the add-ons run on the cluster's baseline nodes, which are not this program's (cost.nodeInstanceType prices only the dataplane's pods, the load that scales)",
	"kubernetes:yaml/v2:ConfigGroup":                                                             "CRDs are API objects: free",
	"aws:ec2/vpc:Vpc":                                                                            "a VPC is free; its NAT gateways, endpoints and addresses are priced",
	"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup":                                          "security groups are free",
	"aws:ec2/subnet:Subnet":                                                                      "subnets are free",
	"aws:ec2/internetGateway:InternetGateway":                                                    "an internet gateway is free (data out is billed as transfer, not modelled)",
	"aws:ec2/routeTable:RouteTable":                                                              "route tables are free",
	"aws:ec2/routeTableAssociation:RouteTableAssociation":                                        "route tables are free",
	"aws:iam/rolePolicy:RolePolicy":                                                              "IAM is free",
	"aws:fis/experimentTemplate:ExperimentTemplate":                                              "a template is free; FIS bills $0.10 per action-minute while a drill runs (a quarterly 5-minute drill: about $2 a year)",
	"aws:scheduler/schedule:Schedule":                                                            "EventBridge Scheduler's first 14 million invocations a month are free; a drill schedule fires four times a year",
	"aws:route53/healthCheck:HealthCheck":                                                        "about $2.50 a month (a health check of an AWS endpoint $0.50, HTTPS and the 10-second interval $1 each): below the model's resolution, left out",
	"aws:route53/record:Record":                                                                  "a record in an existing hosted zone is free; its queries cost $0.40 per million",
	"aws:eks/accessEntry:AccessEntry":                                                            "EKS access entries are free",
	"aws:eks/accessPolicyAssociation:AccessPolicyAssociation":                                    "EKS access entries are free",
	"aws:eks/addon:Addon":                                                                        "EKS add-ons are free; their pods run on the system nodes",
	"aws:sqs/queue:Queue":                                                                        "the first million SQS requests a month are free; interruption events are a few thousand",
	"aws:sqs/queuePolicy:QueuePolicy":                                                            "free",
}

// NotBilledPrefixes cover whole families: the project's components group other resources, and
// Kubernetes objects cost nothing by themselves (their pods are priced through the Deployment).
var NotBilledPrefixes = map[string]string{
	"langgraph:":  "a component: it groups resources priced on their own",
	"kubernetes:": "a Kubernetes API object: free by itself; pods are priced as node capacity through the Deployment",
}

// Billing says how the estimate treats a resource type: the line that prices it, or why none.
func Billing(typ string) (line, reason string, known bool) {
	if l, ok := PricedBy[typ]; ok {
		return l, "", true
	}
	if r, ok := NotBilled[typ]; ok {
		return "", r, true
	}
	for prefix, r := range NotBilledPrefixes {
		if strings.HasPrefix(typ, prefix) {
			return "", r, true
		}
	}
	return "", "", false
}
