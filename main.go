// The langgraph-platform Pulumi program. All logic lives in package program, so tests and tools
// run exactly what `pulumi up` runs.
package main

import (
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"github.com/langgraph-platform/infra/program"
)

func main() {
	pulumi.Run(program.Run)
}
