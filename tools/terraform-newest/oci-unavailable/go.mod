// Stands in for Terraform's OCI state backend module (added in Terraform
// 1.12), of which the Go module proxy serves no version: see ../go.mod.
module github.com/hashicorp/terraform/internal/backend/remote-state/oci

go 1.24.5

require github.com/hashicorp/terraform v1.13.3
