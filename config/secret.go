package config

import "github.com/pulumi/pulumi/sdk/v3/go/pulumi"

// Secret is a configuration value that was set with `pulumi config set --secret`. Its value
// leaves this package only as a Pulumi secret output, so it never reaches state or logs in
// plaintext; formatting it prints "<secret>".
type Secret struct {
	value string
	set   bool
}

// NewSecret wraps a plaintext value (tests and the loader use it).
func NewSecret(v string) Secret { return Secret{value: v, set: true} }

// IsSet reports whether the secret was configured.
func (s Secret) IsSet() bool { return s.set }

// Output returns the value as a secret Pulumi output.
func (s Secret) Output() pulumi.StringOutput {
	return pulumi.ToSecret(pulumi.String(s.value)).(pulumi.StringOutput)
}

// String never reveals the value.
func (s Secret) String() string { return "<secret>" }

// GoString never reveals the value (%#v).
func (s Secret) GoString() string { return "<secret>" }

// MarshalJSON never reveals the value.
func (s Secret) MarshalJSON() ([]byte, error) { return []byte(`"<secret>"`), nil }

// Secrets are the configuration values that must be set as secrets.
type Secrets struct {
	// Kubeconfig for the Kubernetes provider; unset: the ambient kubeconfig.
	Kubeconfig Secret
	// LangSmithAPIKey or LangGraphLicenseKey authorises the LangGraph server; one is required.
	LangSmithAPIKey     Secret
	LangGraphLicenseKey Secret
	// Alert receivers.
	SlackWebhookURL     Secret
	PagerDutyRoutingKey Secret
	// HeartbeatURL is the dead man's switch the Watchdog calls every minute.
	HeartbeatURL Secret
}
