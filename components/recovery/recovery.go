package recovery

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/backup"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/cloudwatch"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/iam"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/rds"
	"github.com/pulumi/pulumi-aws/sdk/v6/go/aws/s3"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/components/awsbase"
)

// TypeToken is the component's Pulumi type.
const TypeToken = "langgraph:aws:Recovery"

// AWS managed policies AWS Backup's role needs to back up and to restore (restore tests).
var backupPolicies = []string{
	"service-role/AWSBackupServiceRolePolicyForBackup",
	"service-role/AWSBackupServiceRolePolicyForRestores",
}

// Args configure what the recovery region protects.
type Args struct {
	Name    string // prefix of names AWS shows: vaults, plans, rules
	Account awsbase.Account
	// Recovery is the recovery region's provider and key (NewRegion).
	Recovery     pulumi.ProviderResource
	RecoveryName string
	RecoveryKey  pulumi.StringInput

	DatabaseARN   pulumi.StringInput
	RetentionDays int // replicated automated backups and recovery points
	// BackupSchedule makes the daily recovery point; DrillSchedule restores the latest one.
	BackupSchedule, DrillSchedule, DrillTimeZone string

	AccessLogBucket     pulumi.StringInput // name
	AccessLogBucketARN  pulumi.StringInput
	AccessLogExpireDays int
	// AccessLogTags are the access-log bucket's tags (its audit class): the replica carries them.
	AccessLogTags map[string]string

	TopicARN pulumi.StringInput // where drill and backup results go
	Tags     map[string]string
}

// Validate reports what config cannot see.
func (a *Args) Validate() error {
	var errs []error
	if a.Name == "" || a.Recovery == nil || a.RecoveryName == "" || a.RecoveryKey == nil || a.DatabaseARN == nil || a.TopicARN == nil {
		errs = append(errs, fmt.Errorf("recovery.Args: Name, Recovery, RecoveryName, RecoveryKey, DatabaseARN and TopicARN are required"))
	}
	if a.RecoveryName == a.Account.Region {
		errs = append(errs, fmt.Errorf("recovery.Args.RecoveryName=%q: must differ from the stack's region", a.RecoveryName))
	}
	if a.RetentionDays < 1 || a.RetentionDays > 35 || a.BackupSchedule == "" || a.DrillSchedule == "" {
		errs = append(errs, fmt.Errorf("recovery.Args.RetentionDays=%d/schedules: 1-35 days and both schedules are required", a.RetentionDays))
	}
	if a.AccessLogBucket == nil || a.AccessLogBucketARN == nil || a.AccessLogExpireDays < 1 {
		errs = append(errs, fmt.Errorf("recovery.Args: the access-log bucket and its expiry are required"))
	}
	return errors.Join(errs...)
}

// Recovery is the deployed set.
type Recovery struct {
	pulumi.ResourceState

	// ReplicatedBackupsARN is the database's automated backups in the recovery region: what
	// database.restore.sourceAutomatedBackupsArn names after a region loss.
	ReplicatedBackupsARN pulumi.StringOutput `pulumi:"replicatedBackupsArn"`
	RecoveryVaultARN     pulumi.StringOutput `pulumi:"recoveryVaultArn"`
	LogReplicaBucket     pulumi.StringOutput `pulumi:"logReplicaBucket"`
}

// serviceRole is an IAM role an AWS service assumes for this account.
func serviceRole(ctx *pulumi.Context, name, service, description string, account awsbase.Account, tags map[string]string, opts ...pulumi.ResourceOption) (*iam.Role, error) {
	trust, err := awsbase.ServiceTrust(service, account, "").JSON()
	if err != nil {
		return nil, err
	}
	return iam.NewRole(ctx, name, &iam.RoleArgs{
		Description: pulumi.String(description), AssumeRolePolicy: pulumi.String(trust), Tags: pulumi.ToStringMap(tags),
	}, opts...)
}

// New creates the replication, the recovery points and their copies, the restore test and the
// alerts on their results.
func New(ctx *pulumi.Context, name string, args Args, opts ...pulumi.ResourceOption) (*Recovery, error) {
	if err := args.Validate(); err != nil {
		return nil, err
	}
	r := &Recovery{}
	if err := ctx.RegisterComponentResource(TypeToken, name, r, opts...); err != nil {
		return nil, err
	}
	here := pulumi.Parent(r)
	there := []pulumi.ResourceOption{here, pulumi.Provider(args.Recovery)}
	tags := pulumi.ToStringMap(args.Tags)

	// Point-in-time recovery in the recovery region: RDS copies the snapshots and the
	// transaction logs there continuously.
	replication, err := rds.NewInstanceAutomatedBackupsReplication(ctx, name+"-db-backups", &rds.InstanceAutomatedBackupsReplicationArgs{
		SourceDbInstanceArn: args.DatabaseARN, KmsKeyId: args.RecoveryKey, RetentionPeriod: pulumi.Int(args.RetentionDays),
	}, there...)
	if err != nil {
		return nil, err
	}

	// AWS Backup: a daily recovery point, copied to the recovery region, that the drill restores.
	vaultKey, err := awsbase.NewKey(ctx, name+"-vault-key", awsbase.KeyArgs{
		Description: "AWS Backup vault of " + args.Name, Alias: name + "-vault", Account: args.Account, Tags: args.Tags,
	}, here)
	if err != nil {
		return nil, err
	}
	vault, err := backup.NewVault(ctx, name+"-vault", &backup.VaultArgs{Name: pulumi.String(args.Name), KmsKeyArn: vaultKey.Arn, Tags: tags}, here)
	if err != nil {
		return nil, err
	}
	recoveryVault, err := backup.NewVault(ctx, name+"-copy-vault", &backup.VaultArgs{Name: pulumi.String(args.Name), KmsKeyArn: args.RecoveryKey, Tags: tags}, there...)
	if err != nil {
		return nil, err
	}
	role, err := serviceRole(ctx, name+"-backup", "backup.amazonaws.com", "AWS Backup: back up and restore-test "+args.Name, args.Account, args.Tags, here)
	if err != nil {
		return nil, err
	}
	var attached []pulumi.Resource
	for _, p := range backupPolicies {
		a, err := iam.NewRolePolicyAttachment(ctx, name+"-backup-"+p[strings.LastIndex(p, "For")+3:], &iam.RolePolicyAttachmentArgs{
			Role: role.Name, PolicyArn: pulumi.Sprintf("arn:%s:iam::aws:policy/%s", args.Account.Partition, p),
		}, here)
		if err != nil {
			return nil, err
		}
		attached = append(attached, a)
	}
	plan, err := backup.NewPlan(ctx, name+"-plan", &backup.PlanArgs{
		Name: pulumi.String(args.Name),
		Rules: backup.PlanRuleArray{backup.PlanRuleArgs{
			RuleName: pulumi.String("daily"), TargetVaultName: vault.Name, Schedule: pulumi.String(args.BackupSchedule),
			Lifecycle: backup.PlanRuleLifecycleArgs{DeleteAfter: pulumi.Int(args.RetentionDays)},
			CopyActions: backup.PlanRuleCopyActionArray{backup.PlanRuleCopyActionArgs{
				DestinationVaultArn: recoveryVault.Arn,
				Lifecycle:           backup.PlanRuleCopyActionLifecycleArgs{DeleteAfter: pulumi.Int(args.RetentionDays)},
			}},
		}},
		Tags: tags,
	}, here)
	if err != nil {
		return nil, err
	}
	if _, err := backup.NewSelection(ctx, name+"-selection", &backup.SelectionArgs{
		Name: pulumi.String(args.Name + "-database"), PlanId: plan.ID(), IamRoleArn: role.Arn,
		Resources: pulumi.StringArray{args.DatabaseARN},
	}, append([]pulumi.ResourceOption{here}, pulumi.DependsOn(attached))...); err != nil {
		return nil, err
	}
	// The drill: AWS Backup restores the latest recovery point into a temporary instance on
	// the schedule, and deletes it after the validation window.
	drillName := strings.ReplaceAll(args.Name, "-", "_") + "_drill"
	drill, err := backup.NewRestoreTestingPlan(ctx, name+"-drill", &backup.RestoreTestingPlanArgs{
		Name: pulumi.String(drillName), ScheduleExpression: pulumi.String(args.DrillSchedule),
		ScheduleExpressionTimezone: pulumi.String(args.DrillTimeZone), StartWindowHours: pulumi.Int(24),
		RecoveryPointSelection: backup.RestoreTestingPlanRecoveryPointSelectionArgs{
			Algorithm: pulumi.String("LATEST_WITHIN_WINDOW"), IncludeVaults: pulumi.StringArray{vault.Arn},
			RecoveryPointTypes: pulumi.ToStringArray([]string{"SNAPSHOT"}), SelectionWindowDays: pulumi.Int(7),
		},
		Tags: tags,
	}, here)
	if err != nil {
		return nil, err
	}
	if _, err := backup.NewRestoreTestingSelection(ctx, name+"-drill-database", &backup.RestoreTestingSelectionArgs{
		Name: pulumi.String("database"), RestoreTestingPlanName: drill.Name, IamRoleArn: role.Arn,
		ProtectedResourceType: pulumi.String("RDS"), ProtectedResourceArns: pulumi.StringArray{args.DatabaseARN},
		ValidationWindowHours: pulumi.Int(1),
	}, append([]pulumi.ResourceOption{here}, pulumi.DependsOn(attached))...); err != nil {
		return nil, err
	}
	if err := resultAlerts(ctx, name, args, here); err != nil {
		return nil, err
	}
	logReplica, err := replicateBucket(ctx, name, args, here, there)
	if err != nil {
		return nil, err
	}
	r.ReplicatedBackupsARN = replication.ID().ToStringOutput()
	r.RecoveryVaultARN = recoveryVault.Arn
	r.LogReplicaBucket = logReplica.Bucket
	return r, ctx.RegisterResourceOutputs(r, pulumi.Map{
		"replicatedBackupsArn": r.ReplicatedBackupsARN, "recoveryVaultArn": r.RecoveryVaultARN, "logReplicaBucket": r.LogReplicaBucket,
	})
}

// results are the AWS Backup events sent to the topic: every drill's end (with its status and
// times), and every failed backup or copy.
var results = map[string]map[string]any{
	"drill-result": {"source": []string{"aws.backup"}, "detail-type": []string{"Restore Job State Change"},
		"detail": map[string]any{"status": []string{"COMPLETED", "FAILED", "ABORTED"}}},
	"backup-failed": {"source": []string{"aws.backup"}, "detail-type": []string{"Backup Job State Change"},
		"detail": map[string]any{"state": []string{"FAILED", "ABORTED", "EXPIRED"}}},
	"copy-failed": {"source": []string{"aws.backup"}, "detail-type": []string{"Copy Job State Change"},
		"detail": map[string]any{"state": []string{"FAILED", "ABORTED"}}},
}

func resultAlerts(ctx *pulumi.Context, name string, args Args, here pulumi.ResourceOption) error {
	for _, kind := range []string{"drill-result", "backup-failed", "copy-failed"} {
		pattern, err := json.Marshal(results[kind])
		if err != nil {
			return err
		}
		rule, err := cloudwatch.NewEventRule(ctx, name+"-"+kind, &cloudwatch.EventRuleArgs{
			Description:  pulumi.Sprintf("%s: AWS Backup %s, to the stack's topic", args.Name, strings.ReplaceAll(kind, "-", " ")),
			EventPattern: pulumi.String(string(pattern)),
			Tags:         pulumi.ToStringMap(args.Tags),
		}, here)
		if err != nil {
			return err
		}
		target := &cloudwatch.EventTargetArgs{Rule: rule.Name, Arn: args.TopicARN}
		if kind == "drill-result" {
			// The result and how long the restore took: the drill's RTO measurement.
			target.InputTransformer = cloudwatch.EventTargetInputTransformerArgs{
				InputPaths: pulumi.StringMap{
					"status": pulumi.String("$.detail.status"), "resource": pulumi.String("$.detail.resourceType"),
					"started": pulumi.String("$.detail.creationDate"), "finished": pulumi.String("$.time"),
					"job": pulumi.String("$.detail.restoreJobId"),
				},
				InputTemplate: pulumi.String(`"Restore test <job> of the <resource> backup: <status>. Started <started>, ended <finished> (the difference is the restore's duration, the database RTO measured)."`),
			}
		}
		if _, err := cloudwatch.NewEventTarget(ctx, name+"-"+kind, target, here); err != nil {
			return err
		}
	}
	return nil
}

// replicateBucket copies the access-log bucket to a bucket in the recovery region: new objects,
// their versions, never deletions (a deleted log stays in the replica).
func replicateBucket(ctx *pulumi.Context, name string, args Args, here pulumi.ResourceOption, there []pulumi.ResourceOption) (*s3.BucketV2, error) {
	// ALB access logs are SSE-S3 at the source (the only encryption ALB writes); replicas keep
	// their source's encryption, and anything else written there is SSE-KMS with the recovery key.
	replica, err := awsbase.NewPrivateBucket(ctx, name+"-access-logs", awsbase.BucketArgs{
		Tags: pulumi.ToStringMap(args.AccessLogTags), KMSKeyID: args.RecoveryKey, ExpireDays: args.AccessLogExpireDays,
	}, there...)
	if err != nil {
		return nil, err
	}
	role, err := serviceRole(ctx, name+"-replication", "s3.amazonaws.com", "S3 replication of "+args.Name+"'s access logs to "+args.RecoveryName, args.Account, args.Tags, here)
	if err != nil {
		return nil, err
	}
	policy := pulumi.All(args.AccessLogBucketARN, replica.Arn).ApplyT(func(v []any) (string, error) {
		source, dest := v[0].(string), v[1].(string)
		return awsbase.Policy(
			awsbase.Statement{Sid: "ReadSource", Effect: awsbase.Allow, Action: []string{"s3:GetReplicationConfiguration", "s3:ListBucket"}, Resource: []string{source}},
			awsbase.Statement{Sid: "ReadVersions", Effect: awsbase.Allow, Action: []string{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"}, Resource: []string{source + "/*"}},
			awsbase.Statement{Sid: "WriteReplica", Effect: awsbase.Allow, Action: []string{"s3:ReplicateObject", "s3:ReplicateTags"}, Resource: []string{dest + "/*"}},
		).JSON()
	}).(pulumi.StringOutput)
	managed, err := iam.NewPolicy(ctx, name+"-replication", &iam.PolicyArgs{
		Description: pulumi.String("Replicate " + args.Name + "'s access logs"), Policy: policy, Tags: pulumi.ToStringMap(args.Tags),
	}, here)
	if err != nil {
		return nil, err
	}
	attachment, err := iam.NewRolePolicyAttachment(ctx, name+"-replication", &iam.RolePolicyAttachmentArgs{Role: role.Name, PolicyArn: managed.Arn}, here)
	if err != nil {
		return nil, err
	}
	_, err = s3.NewBucketReplicationConfig(ctx, name+"-access-logs", &s3.BucketReplicationConfigArgs{
		Bucket: args.AccessLogBucket, Role: role.Arn,
		Rules: s3.BucketReplicationConfigRuleArray{s3.BucketReplicationConfigRuleArgs{
			Id: pulumi.String("to-" + args.RecoveryName), Status: pulumi.String("Enabled"),
			Filter:                  s3.BucketReplicationConfigRuleFilterArgs{Prefix: pulumi.String("")},
			DeleteMarkerReplication: s3.BucketReplicationConfigRuleDeleteMarkerReplicationArgs{Status: pulumi.String("Disabled")},
			Destination:             s3.BucketReplicationConfigRuleDestinationArgs{Bucket: replica.Arn, StorageClass: pulumi.String("STANDARD")},
		}},
	}, here, pulumi.DependsOn([]pulumi.Resource{attachment}))
	return replica, err
}
