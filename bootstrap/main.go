// The bootstrap program: run once per AWS account, before the platform's stacks, it creates what
// surrounds them (the state bucket, the secrets keys, GitHub's OIDC provider and the CI roles).
// All logic lives in package account, so tests run exactly what `pulumi up` runs.
package main

import (
	"maps"
	"slices"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/bootstrap/account"
)

func main() {
	pulumi.Run(func(ctx *pulumi.Context) error {
		outputs, err := account.Build(ctx)
		if err != nil {
			return err
		}
		for _, name := range slices.Sorted(maps.Keys(outputs)) {
			ctx.Export(name, outputs[name])
		}
		return nil
	})
}
