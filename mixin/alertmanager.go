package mixin

// AlertmanagerConfig is Alertmanager's configuration file, the parts this project sets.
type AlertmanagerConfig struct {
	Global       map[string]string `json:"global"`
	Route        Route             `json:"route"`
	Receivers    []Receiver        `json:"receivers"`
	InhibitRules []InhibitRule     `json:"inhibit_rules"`
}

// Route is an Alertmanager route.
type Route struct {
	Receiver       string   `json:"receiver"`
	Matchers       []string `json:"matchers,omitempty"`
	GroupBy        []string `json:"group_by,omitempty"`
	GroupWait      string   `json:"group_wait,omitempty"`
	GroupInterval  string   `json:"group_interval,omitempty"`
	RepeatInterval string   `json:"repeat_interval,omitempty"`
	Continue       bool     `json:"continue,omitempty"`
	Routes         []Route  `json:"routes,omitempty"`
}

// Receiver is an Alertmanager receiver. Credentials are read from files the operator mounts
// from the receivers Secret, so they never appear in Helm values or the config Secret.
type Receiver struct {
	Name             string            `json:"name"`
	SlackConfigs     []SlackConfig     `json:"slack_configs,omitempty"`
	PagerdutyConfigs []PagerdutyConfig `json:"pagerduty_configs,omitempty"`
	WebhookConfigs   []WebhookConfig   `json:"webhook_configs,omitempty"`
}

// WebhookConfig posts alerts to a URL read from a file (the heartbeat).
type WebhookConfig struct {
	URLFile      string `json:"url_file"`
	SendResolved bool   `json:"send_resolved"`
}

// SlackConfig posts to a Slack incoming webhook.
type SlackConfig struct {
	APIURLFile   string `json:"api_url_file"`
	SendResolved bool   `json:"send_resolved"`
	Title        string `json:"title"`
	Text         string `json:"text"`
}

// PagerdutyConfig sends to PagerDuty Events v2.
type PagerdutyConfig struct {
	RoutingKeyFile string `json:"routing_key_file"`
	Severity       string `json:"severity"`
	SendResolved   bool   `json:"send_resolved"`
}

// InhibitRule mutes target alerts while a source alert fires.
type InhibitRule struct {
	SourceMatchers []string `json:"source_matchers"`
	TargetMatchers []string `json:"target_matchers"`
	Equal          []string `json:"equal"`
}

// Receiver names.
const (
	NullReceiver      = "null"
	SlackReceiver     = "slack"
	PagerDutyReceiver = "pagerduty"
	HeartbeatReceiver = "heartbeat"
)

// Receivers are the paths of the files Alertmanager reads each receiver's credential from ("":
// not configured): the credentials never appear in its configuration.
type Receivers struct {
	SlackFile, PagerDutyFile, HeartbeatFile string
}

// HeartbeatInterval is how often the always-firing Watchdog reaches the heartbeat receiver: a
// dead man's switch set to expect a call every few minutes pages when they stop.
const HeartbeatInterval = "1m"

// Alertmanager routes by severity: critical pages PagerDuty (and posts to Slack), warning posts
// to Slack; without a receiver configured, alerts stay visible in Alertmanager's UI only. A
// critical alert inhibits the warning of the same signal (error rate 5 % silences error rate 2 %).
// With a heartbeat, the always-firing Watchdog goes to it every HeartbeatInterval: when the
// monitoring stack dies, the calls stop and the heartbeat service pages.
func Alertmanager(r Receivers) AlertmanagerConfig {
	slack, pagerduty, heartbeat := r.SlackFile != "", r.PagerDutyFile != "", r.HeartbeatFile != ""
	cfg := AlertmanagerConfig{
		Global:    map[string]string{"resolve_timeout": "5m"},
		Receivers: []Receiver{{Name: NullReceiver}},
		InhibitRules: []InhibitRule{{
			SourceMatchers: []string{`severity="critical"`},
			TargetMatchers: []string{`severity="warning"`},
			Equal:          []string{"namespace", "signal"},
		}},
	}
	text := `{{ range .Alerts }}*{{ .Annotations.summary }}*\n{{ .Annotations.description }}\nRunbook: {{ .Annotations.runbook_url }}\n{{ end }}`
	if slack {
		cfg.Receivers = append(cfg.Receivers, Receiver{Name: SlackReceiver, SlackConfigs: []SlackConfig{{
			APIURLFile: r.SlackFile, SendResolved: true,
			Title: `[{{ .Status | toUpper }}] {{ .CommonLabels.alertname }}`, Text: text,
		}}})
	}
	if pagerduty {
		cfg.Receivers = append(cfg.Receivers, Receiver{Name: PagerDutyReceiver, PagerdutyConfigs: []PagerdutyConfig{{
			RoutingKeyFile: r.PagerDutyFile, Severity: "critical", SendResolved: true,
		}}})
	}
	watchdog := Route{Receiver: NullReceiver, Matchers: []string{`alertname="Watchdog"`}}
	if heartbeat {
		cfg.Receivers = append(cfg.Receivers, Receiver{Name: HeartbeatReceiver, WebhookConfigs: []WebhookConfig{{URLFile: r.HeartbeatFile}}})
		watchdog = Route{Receiver: HeartbeatReceiver, Matchers: watchdog.Matchers,
			GroupWait: "0s", GroupInterval: HeartbeatInterval, RepeatInterval: HeartbeatInterval}
	}
	warn, crit := NullReceiver, NullReceiver
	if slack {
		warn, crit = SlackReceiver, SlackReceiver
	}
	routes := []Route{watchdog}
	if pagerduty {
		routes = append(routes, Route{Receiver: PagerDutyReceiver, Matchers: []string{`severity="critical"`}, Continue: slack})
	}
	if !pagerduty || slack {
		routes = append(routes, Route{Receiver: crit, Matchers: []string{`severity="critical"`}})
	}
	routes = append(routes, Route{Receiver: warn, Matchers: []string{`severity="warning"`}})
	cfg.Route = Route{
		Receiver: NullReceiver, GroupBy: []string{"alertname", "namespace", "signal"},
		GroupWait: "30s", GroupInterval: "5m", RepeatInterval: "4h", Routes: routes,
	}
	return cfg
}
