//go:build tools

// Package tools pins tctl v1.18.0 so `go build github.com/temporalio/tctl/cmd/tctl` resolves it from
// this module. Why not `go install …@v1.18.4`: the module proxy here refuses tctl's version list and
// every tag after v1.18.0, and `go install pkg@version` needs the list to check for deprecation.
package tools

import _ "github.com/temporalio/tctl/cmd/tctl"
