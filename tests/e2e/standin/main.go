// Command standin is a STAND-IN for the AWS and random resource providers, for the end-to-end
// tests only: the cloud cannot be reached from the machines that run them, and the real provider
// binaries cannot be had there. It is built twice, as pulumi-resource-aws and
// pulumi-resource-random (the package and version it answers for are set at link time), and put
// on the PATH the Pulumi CLI searches for plugins.
//
// What it does, and no more: a resource's inputs become its outputs; the outputs only a real
// deployment knows (package harness lists them per type) get plausible values (IDs, ARNs in the
// stand-in account, endpoints); a diff reports the top-level inputs that changed; invokes are
// answered by harness.Invoke, the same answers the mock engine gives. Nothing is validated the
// way AWS would validate it: that is what the mock-engine tests and the policy pack are for.
package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"os"
	"sort"
	"strings"
	"sync"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/provider"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"

	"github.com/langgraph-platform/infra/internal/harness"
)

// Set with -ldflags -X by the end-to-end tests' builder: the package (aws or random) and the
// version the program's SDK asks for.
var (
	pkg     = "aws"
	version = "0.0.0"
)

func main() {
	if err := provider.Main(pkg, func(*provider.HostClient) (pulumirpc.ResourceProviderServer, error) {
		return &standin{}, nil
	}); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

type standin struct {
	pulumirpc.UnimplementedResourceProviderServer

	mu     sync.Mutex
	region string
}

var marshal = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, SkipNulls: true}

func unmarshal(s *structpb.Struct) (resource.PropertyMap, error) {
	if s == nil {
		return resource.PropertyMap{}, nil
	}
	return plugin.UnmarshalProperties(s, marshal)
}

func (p *standin) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (p *standin) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (p *standin) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, pkg, version)}, nil
}

func (p *standin) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *standin) DiffConfig(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return p.diff(req.GetOldInputs(), req.GetNews())
}

func (p *standin) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	region := req.GetVariables()[pkg+":config:region"]
	if args, err := unmarshal(req.GetArgs()); err == nil {
		if v, ok := args["region"]; ok && v.IsString() {
			region = v.StringValue()
		}
	}
	if region == "" {
		region = "us-east-1"
	}
	p.mu.Lock()
	p.region = region
	p.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, AcceptResources: true}, nil
}

func (p *standin) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *standin) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	olds := req.GetOldInputs()
	if olds == nil {
		olds = req.GetOlds()
	}
	return p.diff(olds, req.GetNews())
}

// diff reports the top-level inputs whose values differ, as updates in place; for the random
// provider as replacements, as the real one does (every input of its resources forces a new
// resource: a RandomPassword whose keepers change gets a new result).
func (p *standin) diff(oldStruct, newStruct *structpb.Struct) (*pulumirpc.DiffResponse, error) {
	olds, err := unmarshal(oldStruct)
	if err != nil {
		return nil, err
	}
	news, err := unmarshal(newStruct)
	if err != nil {
		return nil, err
	}
	keys := map[resource.PropertyKey]bool{}
	for k := range olds {
		keys[k] = true
	}
	for k := range news {
		keys[k] = true
	}
	var changed []string
	detailed := map[string]*pulumirpc.PropertyDiff{}
	for k := range keys {
		o, n := olds[k], news[k]
		if n.ContainsUnknowns() || !o.DeepEquals(n) {
			changed = append(changed, string(k))
			kind := pulumirpc.PropertyDiff_UPDATE
			if pkg == "random" {
				kind = pulumirpc.PropertyDiff_UPDATE_REPLACE
			}
			detailed[string(k)] = &pulumirpc.PropertyDiff{Kind: kind, InputDiff: true}
		}
	}
	sort.Strings(changed)
	resp := &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE, HasDetailedDiff: true, DetailedDiff: detailed}
	if len(changed) > 0 {
		resp.Changes, resp.Diffs = pulumirpc.DiffResponse_DIFF_SOME, changed
		if pkg == "random" {
			resp.Replaces = changed
		}
	}
	return resp, nil
}

func (p *standin) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	inputs, err := unmarshal(req.GetProperties())
	if err != nil {
		return nil, err
	}
	urn := resource.URN(req.GetUrn())
	id := resourceID(urn, inputs)
	outs, err := plugin.MarshalProperties(p.outputs(urn, id, inputs, nil), marshal)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.CreateResponse{Id: id, Properties: outs}, nil
}

func (p *standin) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties(), Inputs: req.GetInputs()}, nil
}

func (p *standin) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	news, err := unmarshal(req.GetNews())
	if err != nil {
		return nil, err
	}
	olds, err := unmarshal(req.GetOlds())
	if err != nil {
		return nil, err
	}
	outs, err := plugin.MarshalProperties(p.outputs(resource.URN(req.GetUrn()), req.GetId(), news, olds), marshal)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.UpdateResponse{Properties: outs}, nil
}

func (p *standin) Delete(context.Context, *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *standin) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *standin) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := unmarshal(req.GetArgs())
	if err != nil {
		return nil, err
	}
	p.mu.Lock()
	region := p.region
	p.mu.Unlock()
	ret, err := harness.Invoke(region, req.GetTok(), args)
	if err != nil {
		return nil, fmt.Errorf("stand-in %s provider: %w", pkg, err)
	}
	out, err := plugin.MarshalProperties(ret, marshal)
	if err != nil {
		return nil, err
	}
	return &pulumirpc.InvokeResponse{Return: out}, nil
}

// resourceID is the physical ID: a name the program chose, else the resource's name with a
// suffix derived from its URN (as auto-naming would add a random one).
func resourceID(urn resource.URN, inputs resource.PropertyMap) string {
	for _, k := range []resource.PropertyKey{"name", "bucket", "identifier", "replicationGroupId"} {
		if v, ok := inputs[k]; ok && v.IsString() && v.StringValue() != "" {
			return v.StringValue()
		}
	}
	sum := sha256.Sum256([]byte(urn))
	return urn.Name() + "-" + hex.EncodeToString(sum[:4])
}

// outputs are the inputs plus the values only a deployment knows; an update keeps the computed
// values it had (olds), as the cloud would.
func (p *standin) outputs(urn resource.URN, id string, inputs, olds resource.PropertyMap) resource.PropertyMap {
	p.mu.Lock()
	region := p.region
	p.mu.Unlock()
	typ := string(urn.Type())
	outs := inputs.Copy()
	// keep fills a computed output: an input of that name wins, then the value the resource
	// already had, then a new one.
	keep := func(k string, value func() resource.PropertyValue) {
		key := resource.PropertyKey(k)
		if _, ok := outs[key]; ok {
			return
		}
		if old, ok := olds[key]; ok {
			outs[key] = old
			return
		}
		outs[key] = value()
	}
	set := func(k, v string) { keep(k, func() resource.PropertyValue { return resource.NewProperty(v) }) }
	if pkg == "random" {
		keep("result", func() resource.PropertyValue { return resource.MakeSecret(resource.NewProperty(password(inputs))) })
		return outs
	}
	// aws:<service>/<resource>:<Type>
	service, kind := "aws", "resource"
	if mod := strings.Split(typ, ":"); len(mod) == 3 {
		service, kind, _ = strings.Cut(mod[1], "/")
		kind = strings.ToLower(kind)
	}
	arnRegion := region
	if service == "iam" {
		arnRegion = ""
	}
	set("arn", fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", service, arnRegion, harness.AccountID, kind, id))
	set("name", id)
	if tags, ok := inputs["tags"]; ok {
		outs["tagsAll"] = tags
	}
	host := fmt.Sprintf("%s.c0ffee0standin.%s.%s.amazonaws.com", id, region, service)
	for _, k := range harness.ComputedOutputs[typ] {
		switch {
		case k == "endpoint":
			set(k, host+":5432")
		case strings.HasSuffix(strings.ToLower(k), "address"), k == "bucketRegionalDomainName":
			set(k, host)
		case k == "capacity":
			keep(k, func() resource.PropertyValue { return resource.NewProperty(100.0) })
		default:
			set(k, id)
		}
	}
	if typ == "aws:elasticache/replicationGroup:ReplicationGroup" {
		keep("memberClusters", func() resource.PropertyValue {
			nodes := 1
			if v, ok := inputs["numCacheClusters"]; ok && v.IsNumber() {
				nodes = int(v.NumberValue())
			}
			members := make([]resource.PropertyValue, nodes)
			for i := range members {
				members[i] = resource.NewProperty(fmt.Sprintf("%s-%03d", id, i+1))
			}
			return resource.NewProperty(members)
		})
	}
	return outs
}

// password is a random value obeying RandomPassword's length, special and overrideSpecial.
func password(inputs resource.PropertyMap) string {
	length := 16
	if v, ok := inputs["length"]; ok && v.IsNumber() {
		length = int(v.NumberValue())
	}
	alphabet := "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	if v, ok := inputs["special"]; !ok || (v.IsBool() && v.BoolValue()) {
		special := "!@#$%&*()-_=+[]{}<>:?"
		if o, ok := inputs["overrideSpecial"]; ok && o.IsString() {
			special = o.StringValue()
		}
		alphabet += special
	}
	out := make([]byte, length)
	for i := range out {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err)
		}
		out[i] = alphabet[n.Int64()]
	}
	return string(out)
}
