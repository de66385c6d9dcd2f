package provider

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// configure runs the provider's Configure with the given attribute values
// (the rest null) and returns the client configuration it resolved.
func configure(t *testing.T, attrs map[string]tftypes.Value) (workiva.Config, *providerData, diag.Diagnostics) {
	t.Helper()
	ctx := context.Background()
	var captured workiva.Config
	p := &workivaProvider{version: "9.9.9", configHook: func(c *workiva.Config) { captured = *c }}
	var sresp provider.SchemaResponse
	p.Schema(ctx, provider.SchemaRequest{}, &sresp)
	typ := sresp.Schema.Type().TerraformType(ctx).(tftypes.Object)
	req := provider.ConfigureRequest{
		TerraformVersion: "1.11.0",
		Config:           tfsdk.Config{Schema: sresp.Schema, Raw: objectOf(typ, attrs)},
	}
	var resp provider.ConfigureResponse
	p.Configure(ctx, req, &resp)
	pd, _ := resp.DataSourceData.(*providerData)
	return captured, pd, resp.Diagnostics
}

func str(s string) tftypes.Value { return tftypes.NewValue(tftypes.String, s) }

func TestConfigureResolution(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvAPIURL, "https://env.example.com")
	t.Setenv(EnvClientID, "env-id")
	t.Setenv(EnvClientSecret, "env-secret")
	t.Setenv(EnvOrganizationID, "6f1c2b9e-3d4a-4e8b-9c71-2a5d8e0f4b13")

	// Configuration beats environment; environment fills the rest.
	cfg, pd, diags := configure(t, map[string]tftypes.Value{
		"api_url":         str("https://config.example.com"),
		"client_id":       str("cfg-id"),
		"request_timeout": str("1m30s"),
		"max_retries":     tftypes.NewValue(tftypes.Number, 0),
		"scopes":          tftypes.NewValue(tftypes.List{ElementType: tftypes.String}, []tftypes.Value{str("activity:read")}),
	})
	if diags.HasError() {
		t.Fatalf("diagnostics: %v", diags)
	}
	if cfg.APIURL != "https://config.example.com" || cfg.ClientID != "cfg-id" || cfg.ClientSecret != "env-secret" {
		t.Errorf("resolution: %+v", cfg)
	}
	if cfg.RequestTimeout != 90*time.Second || cfg.MaxRetries == nil || *cfg.MaxRetries != 0 {
		t.Errorf("timeout %v retries %v", cfg.RequestTimeout, cfg.MaxRetries)
	}
	if len(cfg.Scopes) != 1 || cfg.Scopes[0] != "activity:read" {
		t.Errorf("scopes %v", cfg.Scopes)
	}
	if cfg.UserAgent != "terraform-provider-workiva/9.9.9 (+terraform 1.11.0)" {
		t.Errorf("user agent %q", cfg.UserAgent)
	}
	if pd == nil || pd.organizationID != "6f1c2b9e-3d4a-4e8b-9c71-2a5d8e0f4b13" || pd.client == nil || pd.actions == nil {
		t.Errorf("provider data %+v", pd)
	}
	if cfg.Logger == nil {
		t.Error("no logger")
	}
}

func TestConfigureDefaults(t *testing.T) {
	clearEnv(t)
	cfg, _, diags := configure(t, map[string]tftypes.Value{"client_id": str("id"), "client_secret": str("secret")})
	if diags.HasError() {
		t.Fatalf("diagnostics: %v", diags)
	}
	if cfg.Region != "us" || cfg.APIURL != "" || cfg.APIVersion != workiva.DefaultAPIVersion ||
		cfg.MaxRetries == nil || *cfg.MaxRetries != workiva.DefaultMaxRetries || cfg.RequestTimeout != workiva.DefaultRequestTimeout {
		t.Errorf("defaults: %+v", cfg)
	}

	t.Setenv(EnvRegion, "apac")
	t.Setenv(EnvMaxRetries, "3")
	cfg, _, _ = configure(t, map[string]tftypes.Value{"client_id": str("id"), "client_secret": str("secret")})
	if cfg.Region != "apac" || *cfg.MaxRetries != 3 {
		t.Errorf("env: region %q retries %d", cfg.Region, *cfg.MaxRetries)
	}
}

func TestConfigureAccessTokenWins(t *testing.T) {
	clearEnv(t)
	t.Setenv(EnvAccessToken, "pre-issued-token")
	cfg, _, diags := configure(t, map[string]tftypes.Value{"client_id": str("id"), "client_secret": str("secret")})
	if diags.HasError() || diags.WarningsCount() != 1 {
		t.Fatalf("want one warning, got %v", diags)
	}
	w := diags.Warnings()[0]
	if !strings.Contains(w.Detail(), "attribute client_id and attribute client_secret") || strings.Contains(w.Detail(), "secret\"") {
		t.Errorf("warning: %s", w.Detail())
	}
	if cfg.AccessToken != "pre-issued-token" || cfg.ClientID != "" || cfg.ClientSecret != "" {
		t.Errorf("credentials not ignored: id %q", cfg.ClientID)
	}
}

func TestConfigureErrors(t *testing.T) {
	clearEnv(t)
	_, pd, diags := configure(t, map[string]tftypes.Value{"client_secret": str("secret")})
	if pd != nil || !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), EnvClientID) {
		t.Errorf("missing client_id: %v", diags)
	}
	_, pd, diags = configure(t, map[string]tftypes.Value{"client_id": tftypes.NewValue(tftypes.String, tftypes.UnknownValue)})
	if pd != nil || !diags.HasError() || !strings.Contains(diags.Errors()[0].Detail(), "client_id is not known") {
		t.Errorf("unknown client_id: %v", diags)
	}
	for _, d := range diags {
		if strings.Contains(d.Detail(), "secret\"") {
			t.Errorf("diagnostic shows a secret: %s", d.Detail())
		}
	}
}
