// Package oci stands in for Terraform's OCI Object Storage state backend in
// the Terraform build that the acceptance matrix runs. That backend is a
// separate module which Terraform's go.mod replaces with a local folder, and
// the Go module proxy serves no version of it. The acceptance tests use no
// state backend, so this one only reports that it is not built in.
package oci

import (
	"errors"

	"github.com/hashicorp/terraform/internal/backend"
	"github.com/hashicorp/terraform/internal/configs/configschema"
	"github.com/hashicorp/terraform/internal/states/statemgr"
	"github.com/hashicorp/terraform/internal/tfdiags"
	"github.com/zclconf/go-cty/cty"
)

var errUnavailable = errors.New(`the "oci" backend is not built into this test build of Terraform`)

// New returns the stand-in backend.
func New() backend.Backend { return unavailable{} }

type unavailable struct{}

func (unavailable) ConfigSchema() *configschema.Block { return &configschema.Block{} }

func (unavailable) PrepareConfig(v cty.Value) (cty.Value, tfdiags.Diagnostics) {
	var diags tfdiags.Diagnostics
	return v, diags.Append(errUnavailable)
}

func (unavailable) Configure(cty.Value) tfdiags.Diagnostics {
	var diags tfdiags.Diagnostics
	return diags.Append(errUnavailable)
}

func (unavailable) StateMgr(string) (statemgr.Full, error) { return nil, errUnavailable }

func (unavailable) DeleteWorkspace(string, bool) error { return errUnavailable }

func (unavailable) Workspaces() ([]string, error) { return nil, errUnavailable }
