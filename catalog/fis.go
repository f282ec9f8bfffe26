package catalog

// AWS Fault Injection Service: the actions and target resource types the game-day experiments
// use, as named in the FIS actions reference (docs.aws.amazon.com/fis/latest/userguide/
// fis-actions-reference.html, read 2026-12-04). FIS refuses a template whose action or target
// type it does not know, so a rename surfaces at the first preview's create, not in a drill.
const (
	FISActionRebootDBInstances   = "aws:rds:reboot-db-instances"
	FISActionInterruptCacheAZ    = "aws:elasticache:replicationgroup-interrupt-az-power"
	FISActionPodDelete           = "aws:eks:pod-delete"
	FISActionPodCPUStress        = "aws:eks:pod-cpu-stress"
	FISActionDisruptConnectivity = "aws:network:disrupt-connectivity"
	FISActionTerminateInstances  = "aws:ec2:terminate-instances"

	FISTargetDBInstance       = "aws:rds:db"
	FISTargetReplicationGroup = "aws:elasticache:replicationgroup"
	FISTargetPod              = "aws:eks:pod"
	FISTargetSubnet           = "aws:ec2:subnet"
	FISTargetInstance         = "aws:ec2:instance"

	// FISStopConditionAlarm is a stop condition's source for a CloudWatch alarm; "none" is the
	// other value FIS takes, and it stops nothing.
	FISStopConditionAlarm = "aws:cloudwatch:alarm"
	FISStopConditionNone  = "none"

	// FISServicePrincipal assumes the experiment role.
	FISServicePrincipal = "fis.amazonaws.com"
	// FISKubernetesUser is the Kubernetes user the experiment role is mapped to (an EKS access
	// entry's username) and the pod actions' RoleBinding names: the user guide's convention.
	FISKubernetesUser = "fis-experiment"
	// FISNetworkACLTag marks the network ACL aws:network:disrupt-connectivity creates; the role
	// may delete only ACLs that carry it.
	FISNetworkACLTag = "managedByFIS"
)

// FISExperimentStates are the experiment's states (GetExperiment's state.status); the last
// three end an experiment.
var FISExperimentStates = []string{"pending", "initiating", "running", "completed", "stopping", "stopped", "failed", "cancelled"}

// FISEventDetailType is EventBridge's detail-type for an experiment's state change (source
// aws.fis); detail.experiment-template-id and detail.new-state.status tell which and how.
const FISEventDetailType = "FIS Experiment State Change"

// The game-day drills: one experiment template each (components/gameday, docs/gameday.md).
const (
	DrillDatabaseFailover = "databaseFailover" // FISActionRebootDBInstances with forceFailover
	DrillCacheAZPower     = "cacheAzPower"     // FISActionInterruptCacheAZ
	DrillPodDelete        = "podDelete"        // FISActionPodDelete on the dataplane's API pods
	DrillPodCPUStress     = "podCpuStress"     // FISActionPodCPUStress on the dataplane's API pods
	DrillAZNetworkLoss    = "azNetworkLoss"    // FISActionDisruptConnectivity on one zone's data subnets
	DrillNodeTermination  = "nodeTermination"  // FISActionTerminateInstances on one of the cluster's nodes
)

// PodDrills are the drills that act inside the cluster (aws:eks:pod-*): they need an EKS access
// entry and RBAC in the dataplane's namespace.
var PodDrills = []string{DrillPodDelete, DrillPodCPUStress}

// Drills is every drill, in the order the docs list them.
var Drills = []string{DrillDatabaseFailover, DrillCacheAZPower, DrillPodDelete, DrillPodCPUStress, DrillAZNetworkLoss, DrillNodeTermination}

// MaxDrillMinutes bounds a drill's lasting fault: a drill is minutes, not hours (FIS takes up to
// 12 hours; a longer fault is an outage, not a drill).
const MaxDrillMinutes = 60
