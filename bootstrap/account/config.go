package account

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	platform "github.com/langgraph-platform/infra/config"
)

// Config is the bootstrap stack's configuration (bootstrap/Pulumi.yaml declares each key).
type Config struct {
	// Repository is the GitHub repository (owner/name) whose workflows may assume the roles.
	Repository string
	// Environments are the platform's stacks in this account, one pair of CI roles each.
	Environments []Environment
	// StateVersionDays keeps a replaced or deleted state file's old versions this long.
	StateVersionDays int
	// AccessLogDays keeps the state bucket's access logs this long.
	AccessLogDays int
	// Owner and CostCenter tag every resource, as the platform's stacks do.
	Owner, CostCenter string
}

// Environment is one platform stack: its name (the stack and its environment key), the GitHub
// environment its deploy job runs in, and its EKS cluster.
type Environment struct {
	Name              string `json:"name"`
	GitHubEnvironment string `json:"githubEnvironment"`
	Cluster           string `json:"cluster"`
	// Regions the stack deploys to: its aws:region and, with dr, its recovery region; default
	// the bootstrap stack's region. The deploy role writes nowhere else.
	Regions []string `json:"regions"`
	// Reads are the environments whose stacks this one reads through a StackReference (a warm
	// standby reads its primary's outputs): its roles may read their state and decrypt their
	// secret outputs, never write them.
	Reads []string `json:"reads"`
}

// SharedEnvironment is the Environment tag of the bootstrap's account-wide resources (the state
// bucket and key, the OIDC provider): no environment may take the name.
const SharedEnvironment = "shared"

// Limits of the retention settings: S3 lifecycle days are positive; ten years is the cap we allow.
const (
	minRetentionDays = 1
	maxRetentionDays = 3650
)

var (
	// GitHub: an owner of 1-39 letters, digits or '-', a repository of letters, digits, '.', '_', '-'.
	repositoryPattern = regexp.MustCompile(`^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}$`)
	// A GitHub environment name as it appears in the OIDC sub claim: no wildcards, no ':'.
	githubEnvironmentPattern = regexp.MustCompile(`^[A-Za-z0-9._-][A-Za-z0-9 ._-]{0,254}$`)
	// An AWS region name (us-east-1, ap-southeast-2, us-gov-west-1).
	regionPattern = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$`)
	// An EKS cluster name.
	clusterPattern = regexp.MustCompile(`^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$`)
)

// Load reads and validates the stack's configuration; every error names the key, the value and
// what is allowed.
func Load(ctx *pulumi.Context) (*Config, error) {
	get := func(key string) string {
		v, _ := ctx.GetConfig(ctx.Project() + ":" + key)
		return v
	}
	cfg := &Config{
		Repository:       get("repository"),
		StateVersionDays: 90,
		AccessLogDays:    365,
	}
	var errs []string
	intKey := func(key string, into *int) {
		if v := get(key); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil {
				errs = append(errs, fmt.Sprintf("%s: %q is not a whole number of days (allowed: %d-%d)", key, v, minRetentionDays, maxRetentionDays))
				return
			}
			*into = n
		}
	}
	intKey("stateVersionRetentionDays", &cfg.StateVersionDays)
	intKey("accessLogRetentionDays", &cfg.AccessLogDays)
	if raw := get("environments"); raw != "" {
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cfg.Environments); err != nil {
			errs = append(errs, fmt.Sprintf("environments: %v (allowed: a list of {name, githubEnvironment, cluster, regions})", err))
		}
	}
	if raw := get("tags"); raw != "" {
		var tags struct {
			Owner      string `json:"owner"`
			CostCenter string `json:"costCenter"`
		}
		dec := json.NewDecoder(strings.NewReader(raw))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&tags); err != nil {
			errs = append(errs, fmt.Sprintf("tags: %v (allowed: owner, costCenter)", err))
		}
		cfg.Owner, cfg.CostCenter = tags.Owner, tags.CostCenter
	}
	region, _ := ctx.GetConfig("aws:region")
	errs = append(errs, cfg.validate(region)...)
	if len(errs) > 0 {
		return nil, fmt.Errorf("invalid bootstrap configuration:\n  %s", strings.Join(errs, "\n  "))
	}
	return cfg, nil
}

// validate fills defaults (an environment's cluster) and returns every problem.
func (cfg *Config) validate(region string) []string {
	var errs []string
	if !repositoryPattern.MatchString(cfg.Repository) {
		errs = append(errs, fmt.Sprintf("repository: %q is not a GitHub repository (allowed: owner/name, no wildcards; the roles trust this repository only)", cfg.Repository))
	}
	for _, d := range []struct {
		key string
		v   int
	}{{"stateVersionRetentionDays", cfg.StateVersionDays}, {"accessLogRetentionDays", cfg.AccessLogDays}} {
		if d.v < minRetentionDays || d.v > maxRetentionDays {
			errs = append(errs, fmt.Sprintf("%s: %d is out of range (allowed: %d-%d days)", d.key, d.v, minRetentionDays, maxRetentionDays))
		}
	}
	if cfg.Owner == "" || cfg.CostCenter == "" {
		errs = append(errs, fmt.Sprintf("tags: owner %q and costCenter %q are required (allowed: non-empty, as in the platform's stacks)", cfg.Owner, cfg.CostCenter))
	}
	if len(cfg.Environments) == 0 {
		errs = append(errs, "environments: none given (allowed: one entry or more, such as {name: staging, githubEnvironment: staging})")
	}
	seen, seenGitHub := map[string]bool{}, map[string]bool{}
	for i := range cfg.Environments {
		e := &cfg.Environments[i]
		key := fmt.Sprintf("environments[%d]", i)
		if !platform.ValidEnvironmentName(e.Name) {
			errs = append(errs, fmt.Sprintf("%s.name: %q is not an environment name (allowed: %s, the platform stack's environment)", key, e.Name, platform.EnvironmentNameRule))
		}
		if seen[e.Name] {
			errs = append(errs, fmt.Sprintf("%s.name: %q is listed twice (allowed: each environment once)", key, e.Name))
		}
		seen[e.Name] = true
		if seenGitHub[e.GitHubEnvironment] {
			errs = append(errs, fmt.Sprintf("%s.githubEnvironment: %q is listed twice (allowed: one GitHub environment per platform environment: its deploy role trusts that environment alone)", key, e.GitHubEnvironment))
		}
		seenGitHub[e.GitHubEnvironment] = true
		if !githubEnvironmentPattern.MatchString(e.GitHubEnvironment) || strings.TrimSpace(e.GitHubEnvironment) != e.GitHubEnvironment {
			errs = append(errs, fmt.Sprintf("%s.githubEnvironment: %q is not a GitHub environment name (allowed: letters, digits, ' ', '.', '_', '-'; no wildcards)", key, e.GitHubEnvironment))
		}
		if e.Cluster == "" {
			e.Cluster = platform.ResourcePrefix(e.Name)
		}
		if len(e.Regions) == 0 && region != "" {
			e.Regions = []string{region}
		}
		for j, r := range e.Regions {
			if !regionPattern.MatchString(r) {
				errs = append(errs, fmt.Sprintf("%s.regions[%d]: %q is not an AWS region (allowed: a region name such as us-east-1)", key, j, r))
			}
		}
		if e.Name == SharedEnvironment {
			errs = append(errs, fmt.Sprintf("%s.name: %q is the bootstrap's own Environment tag (allowed: any other environment name)", key, e.Name))
		}
		for j, r := range e.Reads {
			if r == e.Name || !slices.ContainsFunc(cfg.Environments, func(o Environment) bool { return o.Name == r }) {
				errs = append(errs, fmt.Sprintf("%s.reads[%d]: %q is not another environment of this account (allowed: a name listed in environments)", key, j, r))
			}
		}
		if !clusterPattern.MatchString(e.Cluster) {
			errs = append(errs, fmt.Sprintf("%s.cluster: %q is not an EKS cluster name (allowed: 1-100 letters, digits, '-', '_', starting with a letter or digit)", key, e.Cluster))
		}
	}
	return errs
}
