package harness

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/tokens"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/langgraph-platform/infra/catalog"
)

// AccountID is the AWS account the mock engine answers for.
const AccountID = "123456789012"

// ComputedOutputs are the outputs of a resource type that only a deployment knows. The mock
// answers them with placeholders naming their source, so a rendering shows where each value
// comes from instead of an empty string.
var ComputedOutputs = map[string][]string{
	"aws:rds/instance:Instance":                         {"identifier", "endpoint", "address", "resourceId", "hostedZoneId"},
	"aws:elasticache/replicationGroup:ReplicationGroup": {"primaryEndpointAddress", "readerEndpointAddress"},
	"aws:kms/key:Key":                                   {"keyId"},
	"aws:s3/bucketV2:BucketV2":                          {"bucket", "bucketRegionalDomainName"},
	"aws:cloudwatch/logGroup:LogGroup":                  {"name"},
	"aws:secretsmanager/secretVersion:SecretVersion":    {"versionId"},
	"aws:wafv2/webAcl:WebAcl":                           {"capacity"},
}

// Placeholder is how a value known only after deployment is shown.
func Placeholder(typ, name, property string) string {
	return fmt.Sprintf("<computed: %s %s.%s>", typ, name, property)
}

type mocks struct {
	stack, project, region string
	referenced             map[string]map[string]any
	autoMode               []string
	configMapOnly          []string
	created                map[string]string   // cluster name -> version
	upgradeTargets         map[string][]string // postgres version -> RDS's valid upgrade targets

	mu        sync.Mutex
	resources []*Resource
}

func newMocks(stack, project, region string) *mocks {
	if region == "" {
		region = "us-east-1"
	}
	return &mocks{stack: stack, project: project, region: region}
}

func (m *mocks) recorded() []*Resource {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]*Resource(nil), m.resources...)
}

func (m *mocks) urn(parent, typ, name string) string {
	parentType := tokens.Type("")
	if p := resource.URN(parent); p != "" && p.QualifiedType() != resource.RootStackType {
		parentType = p.QualifiedType()
	}
	return string(resource.NewURN(tokens.QName(m.stack), tokens.PackageName(m.project), parentType, tokens.Type(typ), name))
}

// NewResource records a registration and answers with realistic state: the inputs, the
// provider-computed outputs as placeholders, and secrets where the engine would make them.
func (m *mocks) NewResource(args pulumi.MockResourceArgs) (string, resource.PropertyMap, error) {
	rpc := args.RegisterRPC
	r := &Resource{
		Type:     args.TypeToken,
		Name:     args.Name,
		Custom:   args.Custom,
		Provider: args.Provider,
		Inputs:   args.Inputs.Copy(),
	}
	if read := args.ReadRPC; read != nil {
		// A get function: the engine reads an existing object by ID and manages nothing.
		r.Read, r.Custom, r.ID = true, true, args.ID
		r.Parent = read.GetParent()
		r.Dependencies = append([]string(nil), read.GetDependencies()...)
		r.URN = m.urn(r.Parent, r.Type, r.Name)
		m.mu.Lock()
		m.resources = append(m.resources, r)
		m.mu.Unlock()
		state := args.Inputs.Copy()
		if r.Type == "pulumi:pulumi:StackReference" {
			// The engine answers a stack reference with the other stack's outputs; a stack the
			// test did not describe has none.
			state["outputs"] = resource.NewPropertyValue(m.referenced[args.ID])
			if m.referenced[args.ID] == nil {
				state["outputs"] = resource.NewObjectProperty(resource.PropertyMap{})
			}
			state["secretOutputNames"] = resource.NewPropertyValue([]any{})
		}
		return args.ID, state, nil
	}
	if rpc != nil {
		r.Parent = rpc.GetParent()
		r.Protect = rpc.GetProtect()
		r.Dependencies = append([]string(nil), rpc.GetDependencies()...)
		r.IgnoreChanges = append([]string(nil), rpc.GetIgnoreChanges()...)
		r.DeleteBeforeReplace = rpc.GetDeleteBeforeReplace()
		r.RetainOnDelete = rpc.GetRetainOnDelete()
		r.AdditionalSecretOutputs = append([]string(nil), rpc.GetAdditionalSecretOutputs()...)
		r.AliasURNs = append([]string(nil), rpc.GetAliasURNs()...)
		for _, a := range rpc.GetAliases() {
			r.AliasURNs = append(r.AliasURNs, protoText(a.ProtoReflect()))
		}
		if ct := rpc.GetCustomTimeouts(); ct != nil {
			r.CustomTimeouts = map[string]string{"create": ct.GetCreate(), "update": ct.GetUpdate(), "delete": ct.GetDelete()}
		}
		r.PropertyDependencies = map[string][]string{}
		for k, deps := range rpc.GetPropertyDependencies() {
			if len(deps.GetUrns()) > 0 {
				r.PropertyDependencies[k] = append([]string(nil), deps.GetUrns()...)
			}
		}
	}
	r.URN = m.urn(r.Parent, r.Type, r.Name)

	state := args.Inputs.Copy()
	id := ""
	if args.Custom {
		id = Placeholder(r.Type, r.Name, "id")
		if strings.HasPrefix(r.Type, "pulumi:providers:") {
			id = r.Name + "-provider-id"
		}
		m.fillComputed(r, state)
	}
	for _, k := range r.AdditionalSecretOutputs {
		if v, ok := state[resource.PropertyKey(k)]; ok && !v.IsSecret() {
			state[resource.PropertyKey(k)] = resource.MakeSecret(v)
		}
	}
	r.ID = id
	r.Outputs = state

	m.mu.Lock()
	m.resources = append(m.resources, r)
	m.mu.Unlock()
	return id, state, nil
}

func (m *mocks) fillComputed(r *Resource, state resource.PropertyMap) {
	set := func(k string, v resource.PropertyValue) {
		if _, ok := state[resource.PropertyKey(k)]; !ok {
			state[resource.PropertyKey(k)] = v
		}
	}
	for _, k := range ComputedOutputs[r.Type] {
		set(k, resource.NewProperty(Placeholder(r.Type, r.Name, k)))
	}
	switch {
	case strings.HasPrefix(r.Type, "aws:"):
		set("arn", resource.NewProperty(Placeholder(r.Type, r.Name, "arn")))
		set("name", resource.NewProperty(Placeholder(r.Type, r.Name, "name")))
		set("tagsAll", state["tags"])
	case r.Type == "random:index/randomPassword:RandomPassword":
		set("result", resource.NewProperty(fakePassword(r)))
	}
	if r.Type == "aws:eks/cluster:Cluster" {
		// What EKS computes: the endpoint, the CA, the OIDC issuer and the cluster security group.
		ph := func(p string) resource.PropertyValue { return resource.NewProperty(Placeholder(r.Type, r.Name, p)) }
		set("endpoint", ph("endpoint"))
		set("certificateAuthority", resource.NewObjectProperty(resource.PropertyMap{"data": ph("certificateAuthority.data")}))
		set("identities", resource.NewProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{
			"oidcs": resource.NewProperty([]resource.PropertyValue{resource.NewObjectProperty(resource.PropertyMap{"issuer": ph("identities[0].oidcs[0].issuer")})}),
		})}))
		if v, ok := state["vpcConfig"]; ok && v.IsObject() {
			vpc := v.ObjectValue().Copy()
			vpc["clusterSecurityGroupId"] = ph("vpcConfig.clusterSecurityGroupId")
			state["vpcConfig"] = resource.NewObjectProperty(vpc)
		}
	}
	if r.Type == "aws:elasticache/replicationGroup:ReplicationGroup" {
		// One cache cluster per node: <group>-001, -002, ...
		nodes := 1
		if v, ok := r.Inputs["numCacheClusters"]; ok && v.IsNumber() {
			nodes = int(v.NumberValue())
		}
		members := make([]resource.PropertyValue, nodes)
		for i := range members {
			members[i] = resource.NewProperty(Placeholder(r.Type, r.Name, fmt.Sprintf("memberClusters[%d]", i)))
		}
		set("memberClusters", resource.NewProperty(members))
	}
}

// fakePassword is a deterministic stand-in for random.RandomPassword's result that obeys the
// resource's inputs (length, character classes, overrideSpecial), so values built from it are
// shaped like the real ones, and changes with its keepers.
func fakePassword(r *Resource) string {
	length := 16
	if v, ok := r.Inputs["length"]; ok && v.IsNumber() {
		length = int(v.NumberValue())
	}
	alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	if v, ok := r.Inputs["special"]; !ok || (v.IsBool() && v.BoolValue()) {
		special := "!@#$%&*()-_=+[]{}<>:?"
		if o, ok := r.Inputs["overrideSpecial"]; ok && o.IsString() {
			special = o.StringValue()
		}
		alphabet += special
	}
	// New keepers replace the resource with a new value, as the random provider does.
	key := r.URN
	if k, ok := r.Inputs["keepers"]; ok && k.IsObject() {
		for _, name := range k.ObjectValue().StableKeys() {
			key += "\x00" + string(name) + "=" + fmt.Sprint(k.ObjectValue()[name].V)
		}
	}
	seed := sha256.Sum256([]byte(key))
	out := make([]byte, length)
	for i := range out {
		if i%8 == 0 {
			seed = sha256.Sum256(seed[:])
		}
		out[i] = alphabet[binary.BigEndian.Uint32(seed[(i%8)*4:])%uint32(len(alphabet))]
	}
	return string(out)
}

// Call answers the invokes the program makes with the values a real account would return.
func (m *mocks) Call(args pulumi.MockCallArgs) (resource.PropertyMap, error) {
	out, err := Invoke(m.region, args.Token, args.Args)
	if err == nil && args.Token == "aws:eks/getCluster:getCluster" && slices.Contains(m.autoMode, args.Args["name"].StringValue()) {
		out["computeConfigs"] = resource.NewPropertyValue([]any{map[string]any{"enabled": true, "nodePools": []any{"general-purpose", "system"}}})
	}
	if err == nil && args.Token == "aws:eks/getCluster:getCluster" && slices.Contains(m.configMapOnly, args.Args["name"].StringValue()) {
		out["accessConfigs"] = resource.NewPropertyValue([]any{map[string]any{"authenticationMode": "CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": true}})
	}
	if err == nil && args.Token == "aws:eks/getCluster:getCluster" {
		if v, ok := m.created[args.Args["name"].StringValue()]; ok {
			out["version"] = resource.NewProperty(v)
		}
	}
	if err == nil && args.Token == "aws:rds/getEngineVersion:getEngineVersion" {
		if targets, ok := m.upgradeTargets[args.Args["version"].StringValue()]; ok {
			out["validUpgradeTargets"] = resource.NewPropertyValue(targets)
		}
	}
	if err == nil && args.Token == "aws:eks/getClusters:getClusters" {
		out["names"] = resource.NewPropertyValue(slices.Sorted(maps.Keys(m.created)))
	}
	return out, err
}

// Invoke answers the data-source calls the program makes, as an AWS account in region would:
// the mock engine here and the end-to-end tests' stand-in provider both answer with it.
func Invoke(region, token string, args resource.PropertyMap) (resource.PropertyMap, error) {
	switch token {
	case "aws:index/getAvailabilityZones:getAvailabilityZones":
		names := []any{region + "a", region + "b", region + "c"}
		ids := []any{"use1-az1", "use1-az2", "use1-az4"}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": region, "names": names, "zoneIds": ids, "state": "available",
		}), nil
	case "aws:index/getCallerIdentity:getCallerIdentity":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": AccountID, "accountId": AccountID,
			"arn": "arn:aws:iam::" + AccountID + ":role/deployer", "userId": "AROAEXAMPLEDEPLOYER",
		}), nil
	case "aws:index/getRegion:getRegion":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": region, "name": region, "region": region,
			"description": "mock region", "endpoint": "ec2." + region + ".amazonaws.com",
		}), nil
	case "aws:index/getPartition:getPartition":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": "aws", "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws",
		}), nil
	case "aws:lb/getLoadBalancer:getLoadBalancer":
		// The controller's ALB, found by its tags: a stand-in ARN in the stack's account.
		suffix := "app/k8s-langgrap-mock/0123456789abcdef"
		out := map[string]any{
			"id":        "arn:aws:elasticloadbalancing:" + region + ":" + AccountID + ":loadbalancer/" + suffix,
			"arn":       "arn:aws:elasticloadbalancing:" + region + ":" + AccountID + ":loadbalancer/" + suffix,
			"arnSuffix": suffix, "name": "k8s-langgrap-mock", "loadBalancerType": "application",
		}
		if tags, ok := args["tags"]; ok {
			out["tags"] = tags.Mappable()
		}
		return resource.NewPropertyMapFromMap(out), nil
	case "aws:eks/getCluster:getCluster":
		// An existing cluster as describe-cluster shows it: API and ConfigMap authentication,
		// no Auto Mode.
		name := args["name"].StringValue()
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": name, "name": name, "version": "1.34", "status": "ACTIVE",
			"arn":            "arn:aws:eks:" + region + ":" + AccountID + ":cluster/" + name,
			"endpoint":       "https://" + strings.ToUpper(fmt.Sprintf("%x", sha256.Sum256([]byte(name))))[:32] + ".gr7." + region + ".eks.amazonaws.com",
			"accessConfigs":  []any{map[string]any{"authenticationMode": "API_AND_CONFIG_MAP", "bootstrapClusterCreatorAdminPermissions": true}},
			"computeConfigs": []any{},
		}), nil
	case "aws:eks/getClusters:getClusters":
		// The account's clusters: none a create-mode stack made yet (Options.CreatedClusters adds them).
		return resource.NewPropertyMapFromMap(map[string]any{"id": region, "names": []any{}}), nil
	case "aws:rds/getEngineVersion:getEngineVersion":
		// RDS's answer for a PostgreSQL version: its valid upgrade targets, from catalog.
		version := args["version"].StringValue()
		var targets []any
		for _, v := range catalog.PostgresUpgradeTargets(version) {
			targets = append(targets, v)
		}
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": "postgres-" + version, "engine": "postgres", "version": version, "versionActual": version,
			"parameterGroupFamily": "postgres" + strings.Split(version, ".")[0], "validUpgradeTargets": targets,
		}), nil
	case "aws:elb/getServiceAccount:getServiceAccount":
		return resource.NewPropertyMapFromMap(map[string]any{
			"id": "127311923021", "arn": "arn:aws:iam::127311923021:root",
		}), nil
	case "aws:secretsmanager/getSecretVersion:getSecretVersion":
		// A secret the stack reads but does not own (the gateway's provider keys): its value,
		// as the provider returns it, marked secret.
		id := args["secretId"].StringValue()
		out := resource.NewPropertyMapFromMap(map[string]any{
			"id": id, "secretId": id, "arn": "arn:aws:secretsmanager:" + region + ":" + AccountID + ":secret:" + id + "-AbCdEf",
			"versionId": "00000000-0000-0000-0000-000000000001", "versionStages": []any{"AWSCURRENT"},
		})
		out["secretString"] = resource.MakeSecret(resource.NewProperty("sk-test-" + id))
		return out, nil
	}
	return nil, fmt.Errorf("the mock engine has no answer for invoke %s: add one to internal/harness/mocks.go", token)
}

// Resource is one registration as the engine saw it.
type Resource struct {
	URN, Type, Name string
	Custom          bool
	// Read is a get function's read of an existing object (pulumi.ID given): the engine reads it
	// and never creates, changes or deletes it; policy packs do not analyze it.
	Read     bool
	ID       string
	Parent   string
	Provider string
	Inputs   resource.PropertyMap
	Outputs  resource.PropertyMap

	Protect                 bool
	Dependencies            []string
	PropertyDependencies    map[string][]string
	IgnoreChanges           []string
	DeleteBeforeReplace     bool
	RetainOnDelete          bool
	AdditionalSecretOutputs []string
	AliasURNs               []string
	CustomTimeouts          map[string]string
}

// Get returns the resource of type typ named name, or nil.
func (r *Result) Get(typ, name string) *Resource {
	for _, res := range r.Resources {
		if res.Type == typ && res.Name == name {
			return res
		}
	}
	return nil
}

// ByType returns the resources of type typ, sorted by name.
func (r *Result) ByType(typ string) []*Resource {
	var out []*Resource
	for _, res := range r.Resources {
		if res.Type == typ {
			out = append(out, res)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Children returns the direct children of the resource with URN parent, sorted by URN.
func (r *Result) Children(parent string) []*Resource {
	var out []*Resource
	for _, res := range r.Resources {
		if res.Parent == parent {
			out = append(out, res)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// Descendants returns every resource below parent, sorted by URN.
func (r *Result) Descendants(parent string) []*Resource {
	var out []*Resource
	for _, c := range r.Children(parent) {
		out = append(out, c)
		out = append(out, r.Descendants(c.URN)...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// ByURN returns the resource with the given URN, or nil.
func (r *Result) ByURN(urn string) *Resource {
	for _, res := range r.Resources {
		if res.URN == urn {
			return res
		}
	}
	return nil
}

// Sorted returns the resources sorted by URN: the order renderings use.
func (r *Result) Sorted() []*Resource {
	out := append([]*Resource(nil), r.Resources...)
	sort.Slice(out, func(i, j int) bool { return out[i].URN < out[j].URN })
	return out
}

// protoText is m in protobuf's compact text form with single spaces. The library's own text
// (String, prototext) inserts random whitespace on purpose, and a rendering must not change
// between two runs.
func protoText(m protoreflect.Message) string {
	var parts []string
	fields := m.Descriptor().Fields()
	for i := range fields.Len() {
		f := fields.Get(i)
		if !m.Has(f) {
			continue
		}
		v := m.Get(f)
		switch {
		case f.Kind() == protoreflect.MessageKind && !f.IsList() && !f.IsMap():
			parts = append(parts, fmt.Sprintf("%s:{%s}", f.Name(), protoText(v.Message())))
		case f.Kind() == protoreflect.StringKind && !f.IsList() && !f.IsMap():
			parts = append(parts, fmt.Sprintf("%s:%q", f.Name(), v.String()))
		default:
			parts = append(parts, fmt.Sprintf("%s:%v", f.Name(), v.Interface()))
		}
	}
	return strings.Join(parts, " ")
}
