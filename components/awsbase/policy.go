package awsbase

import (
	"encoding/json"
	"fmt"
	"strings"
)

// PolicyVersion is the IAM policy language version every document uses.
const PolicyVersion = "2012-10-17"

// PolicyDocument is an IAM policy document: identity policies, trust policies and resource
// policies (key, topic, bucket, queue) alike. Every component writes its documents with it.
type PolicyDocument struct {
	Version   string      `json:"Version"`
	Statement []Statement `json:"Statement"`
}

// Statement is one IAM policy statement.
type Statement struct {
	Sid    string `json:"Sid,omitempty"`
	Effect string `json:"Effect"`
	// Principal is a map such as {"Service": "..."} or {"AWS": "..."}, or AnyPrincipal.
	Principal any      `json:"Principal,omitempty"`
	Action    []string `json:"Action,omitempty"`
	// NotAction is every action but these (deny statements that leave a role only some uses).
	NotAction []string `json:"NotAction,omitempty"`
	Resource  []string `json:"Resource,omitempty"`
	// NotResource is every resource but these (deny statements that fence a role in).
	NotResource []string   `json:"NotResource,omitempty"`
	Condition   Conditions `json:"Condition,omitempty"`
}

// Conditions are a statement's condition block: operator -> key -> value.
type Conditions map[string]map[string]any

// Effects.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// AnyPrincipal is everyone (resource policies' deny statements).
const AnyPrincipal = "*"

// Policy is a document of statements.
func Policy(statements ...Statement) PolicyDocument {
	return PolicyDocument{Version: PolicyVersion, Statement: statements}
}

// JSON renders the document.
func (d PolicyDocument) JSON() (string, error) {
	b, err := json.Marshal(d)
	return string(b), err
}

// Service is an AWS service principal ("rds.amazonaws.com").
func Service(principal string) map[string]string { return map[string]string{"Service": principal} }

// OnBehalfOf are the confused-deputy conditions for a service principal acting for account:
// aws:SourceAccount always, and aws:SourceArn when the resource the service acts for is known
// (a cluster, a rule, a bucket). Without them any account's use of the service could borrow the
// grant (AWS IAM User Guide, "The confused deputy problem").
func OnBehalfOf(account Account, sourceArns ...string) Conditions {
	c := Conditions{"StringEquals": {"aws:SourceAccount": account.ID}}
	if len(sourceArns) == 0 {
		return c
	}
	// ArnLike only where a pattern needs it: an exact ARN is compared exactly.
	op := "ArnEquals"
	var value any = sourceArns
	if len(sourceArns) == 1 {
		value = sourceArns[0]
	}
	for _, arn := range sourceArns {
		if strings.ContainsAny(arn, "*?") {
			op = "ArnLike"
		}
	}
	c[op] = map[string]any{"aws:SourceArn": value}
	return c
}

// PassedRoleServices assume a role a caller hands them with iam:PassRole (an instance profile, a
// backup plan's role). Their AssumeRole carries no aws:SourceAccount or aws:SourceArn, so a
// condition on those keys would refuse the service itself; iam:PassRole, which only this
// account's principals can hold, is the guard (the IAM User Guide's confused-deputy page names
// the keys "if present"; Prowler's check exempts these services for this reason).
var PassedRoleServices = map[string]bool{"ec2.amazonaws.com": true, "backup.amazonaws.com": true}

// ServiceTrust is the trust policy of a role an AWS service assumes for account (optionally for
// one source resource only), with the confused-deputy conditions.
func ServiceTrust(service string, account Account, sourceArn string, actions ...string) PolicyDocument {
	if len(actions) == 0 {
		actions = []string{"sts:AssumeRole"}
	}
	var arns []string
	if sourceArn != "" {
		arns = append(arns, sourceArn)
	}
	st := Statement{Effect: Allow, Principal: Service(service), Action: actions}
	if !PassedRoleServices[service] {
		st.Condition = OnBehalfOf(account, arns...)
	}
	return Policy(st)
}

// ARN builds an ARN in the account's partition: service, region ("" for global services),
// account ("" for AWS-owned resources) and resource.
func (a Account) ARN(service, region, account, resource string) string {
	return fmt.Sprintf("arn:%s:%s:%s:%s:%s", a.Partition, service, region, account, resource)
}

// PodIdentityTrust lets EKS Pod Identity hand the role to pods of one cluster in this account
// (the association names the ServiceAccount); the source conditions stop other accounts' clusters.
func PodIdentityTrust(account Account, cluster string) PolicyDocument {
	trust := ServiceTrust("pods.eks.amazonaws.com", account, account.ARN("eks", account.Region, account.ID, "cluster/"+cluster),
		"sts:AssumeRole", "sts:TagSession")
	trust.Statement[0].Sid = "EKSPodIdentity"
	return trust
}

// IRSATrust lets exactly one ServiceAccount assume the role through the cluster's OIDC provider.
func IRSATrust(account Account, issuerURL, namespace, serviceAccount string) PolicyDocument {
	issuer := strings.TrimPrefix(issuerURL, "https://")
	return Policy(Statement{
		Sid: "IRSA", Effect: Allow,
		Principal: map[string]string{"Federated": account.ARN("iam", "", account.ID, "oidc-provider/"+issuer)},
		Action:    []string{"sts:AssumeRoleWithWebIdentity"},
		Condition: Conditions{"StringEquals": {
			issuer + ":sub": "system:serviceaccount:" + namespace + ":" + serviceAccount,
			issuer + ":aud": "sts.amazonaws.com",
		}},
	})
}
