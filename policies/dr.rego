package langgraph

import rego.v1

# Disaster recovery (issue 19, seed section 6): in production the database's backups leave the
# region and a restore is tested on a schedule.

primary_databases contains r if {
	some r in input.resources
	r.__type == "aws:rds/instance:Instance"
	not r.replicateSourceDb
}

# replicates(rep, db): the replication's source is db (by the engine's property dependency, so a
# preview with unknown ARNs still joins).
replicates(rep, db) if {
	some urn in object.get(rep, ["propertyDependencies", "sourceDbInstanceArn"], [])
	urn == db.__urn
}

# METADATA
# title: "Database backups replicated to a recovery region"
# description: "A region loss takes the database and its automated backups with it; the seed's recovery targets need them in a second region."
# custom:
#   message: "Set dr.enabled and dr.region: the program replicates the automated backups there."
stack_deny_dr_backupreplication contains msg if {
	some db in primary_databases
	not backup_replicated(db)
	msg := sprintf("aws:rds/instance:Instance %q has no automated backups replicated to another region; allowed: an aws:rds/instanceAutomatedBackupsReplication of it", [db.__name])
}

backup_replicated(db) if {
	some rep in input.resources
	rep.__type == "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication"
	replicates(rep, db)
}

# METADATA
# title: "Restores tested on a schedule"
# description: "A backup nobody restored is a hope; the seed asks for backup verification and quarterly DR tests."
# custom:
#   message: "Set dr.enabled: the program adds an AWS Backup restore testing plan and a selection for the database."
stack_deny_dr_restoretesting contains msg if {
	count(primary_databases) > 0
	not restore_tested
	msg := "the stack has no AWS Backup restore testing plan with an RDS selection; allowed: aws:backup/restoreTestingPlan and an RDS aws:backup/restoreTestingSelection"
}

restore_tested if {
	some plan in input.resources
	plan.__type == "aws:backup/restoreTestingPlan:RestoreTestingPlan"
	some sel in input.resources
	sel.__type == "aws:backup/restoreTestingSelection:RestoreTestingSelection"
	sel.protectedResourceType == "RDS"
}
