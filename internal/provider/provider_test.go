package provider

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

var allEnv = []string{EnvClientID, EnvClientSecret, EnvAccessToken, EnvRegion, EnvAPIURL, EnvTokenURL,
	EnvAPIVersion, EnvOrganizationID, EnvMaxRetries}

// clearEnv unsets every provider variable for the test (t.Setenv restores
// them); such tests cannot run in parallel.
func clearEnv(t *testing.T) {
	t.Helper()
	for _, k := range allEnv {
		t.Setenv(k, "")
	}
}

func TestProviderSchemaDescriptions(t *testing.T) {
	var resp provider.SchemaResponse
	(&workivaProvider{}).Schema(context.Background(), provider.SchemaRequest{}, &resp)
	env := map[string]string{
		"client_id": EnvClientID, "client_secret": EnvClientSecret, "access_token": EnvAccessToken,
		"region": EnvRegion, "api_url": EnvAPIURL, "token_url": EnvTokenURL, "api_version": EnvAPIVersion,
		"organization_id": EnvOrganizationID, "max_retries": EnvMaxRetries,
	}
	for name, a := range resp.Schema.Attributes {
		d := a.GetMarkdownDescription()
		if e, ok := env[name]; ok && !strings.Contains(d, e) {
			t.Errorf("%s: description does not name %s", name, e)
		}
		if !strings.Contains(strings.ToLower(d), "default") {
			t.Errorf("%s: description does not state its default", name)
		}
		if !a.IsOptional() {
			t.Errorf("%s must be optional", name)
		}
	}
	for _, s := range []string{"client_secret", "access_token"} {
		if !resp.Schema.Attributes[s].IsSensitive() {
			t.Errorf("%s must be sensitive", s)
		}
	}
	if len(resp.Schema.Attributes) != 11 {
		t.Errorf("%d provider attributes, want 11", len(resp.Schema.Attributes))
	}
}

func TestUserAgent(t *testing.T) {
	if got := userAgent("1.2.3", "1.11.0"); got != "terraform-provider-workiva/1.2.3 (+terraform 1.11.0)" {
		t.Errorf("userAgent = %q", got)
	}
	if got := userAgent("", ""); got != "terraform-provider-workiva/dev" {
		t.Errorf("userAgent = %q", got)
	}
}

func TestChecks(t *testing.T) {
	good := map[string][]string{
		"url":      {"https://api.app.wdesk.com", "http://127.0.0.1:8080", "http://localhost", "http://[::1]:9/x"},
		"duration": {"1s", "2m30s", "100ms"},
		"rfc3339":  {"2026-01-01T00:00:00Z", "2026-01-01T00:00:00.5+02:00"},
		"uuid":     {"6f1c2b9e-3d4a-4e8b-9c71-2a5d8e0f4b13"},
		"version":  {"2026-01-01"},
	}
	bad := map[string][]string{
		"url":      {"http://example.com", "ftp://127.0.0.1", "api.app.wdesk.com", "https://", "", "http://127.0.0.1.example.com"},
		"duration": {"0s", "-1s", "10", "soon", ""},
		"rfc3339":  {"2026-01-01T00:00:00", "2026-01-01", "2026-13-01T00:00:00Z", ""},
		"uuid":     {"6f1c2b9e3d4a4e8b9c712a5d8e0f4b13", "x", ""},
		"version":  {"v1", "2026-13-01", ""},
	}
	check := map[string]func(string) error{
		"url": workiva.CheckURL, "uuid": checkUUID, "version": workiva.CheckAPIVersion,
		"duration": func(s string) error { _, err := checkDuration(s); return err },
		"rfc3339":  func(s string) error { _, err := checkRFC3339(s); return err },
	}
	for kind, vs := range good {
		for _, v := range vs {
			if err := check[kind](v); err != nil {
				t.Errorf("%s %q: %v", kind, v, err)
			}
		}
	}
	for kind, vs := range bad {
		for _, v := range vs {
			if err := check[kind](v); err == nil {
				t.Errorf("%s %q: accepted", kind, v)
			}
		}
	}
}

func TestDescribeErrorHasNoSecretAndNamesStatus(t *testing.T) {
	err := fmt.Errorf("wrapped: %w", &workiva.APIError{StatusCode: 403, Code: "403Forbidden", Message: "no admin role", Method: "GET", Path: "/admin/v1/x"})
	got := describeError(err)
	for _, want := range []string{"HTTP 403", `"403Forbidden"`, "no admin role", "GET /admin/v1/x"} {
		if !strings.Contains(got, want) {
			t.Errorf("describeError lacks %q: %s", want, got)
		}
	}
	got = describeError(&workiva.TokenError{StatusCode: 401, Code: "invalid_client", Description: "bad credentials"})
	for _, want := range []string{"HTTP 401", "invalid_client", "bad credentials", EnvClientSecret} {
		if !strings.Contains(got, want) {
			t.Errorf("describeError lacks %q: %s", want, got)
		}
	}
}

// Plan-time validation of every provider attribute, naming it.
func TestAccProvider_validation(t *testing.T) {
	cases := []struct{ attr, want string }{
		{`region = "mars"`, `Attribute region value must be one of: \["us" "eu" "apac"\], got: "mars"`},
		{`api_url = "http://api.example.com"`, `Attribute api_url must be an absolute https:// URL`},
		{`api_url = "not a url"`, `Attribute api_url must be an absolute https:// URL`},
		{`token_url = "ftp://127.0.0.1/token"`, `Attribute token_url must be an absolute https:// URL`},
		{`api_version = "latest"`, `Attribute api_version must be a Workiva API version date`},
		{`organization_id = "acme"`, `Attribute organization_id must be a UUID`},
		{`max_retries = -1`, `Attribute max_retries value must be at least 0, got: -1`},
		{`request_timeout = "0s"`, `Attribute request_timeout must be a positive Go duration`},
		{`request_timeout = "ten seconds"`, `Attribute request_timeout must be a positive Go duration`},
		{`client_id = ""`, `Attribute client_id must not be empty or only whitespace`},
		{`client_secret = " "`, `Attribute client_secret must not be empty or only whitespace`},
		{`access_token = ""`, `Attribute access_token must not be empty or only whitespace`},
		{`scopes = ["activity:read", ""]`, `Attribute scopes\[1\] must not be empty or only whitespace`},
	}
	steps := make([]resource.TestStep, 0, len(cases))
	for _, c := range cases {
		steps = append(steps, resource.TestStep{
			Config:      "provider \"workiva\" {\n  " + c.attr + "\n}\n" + `data "workiva_activity_actions" "x" {}`,
			ExpectError: errRE(c.want),
			PlanOnly:    true,
		})
	}
	resource.ParallelTest(t, resource.TestCase{ProtoV6ProviderFactories: factories(), Steps: steps})
}

// Only environment variables configure the provider.
func TestAccProvider_envOnly(t *testing.T) {
	srv := startEmulator(t, 60)
	clearEnv(t)
	t.Setenv(EnvAPIURL, srv.URL())
	t.Setenv(EnvClientID, srv.ClientID())
	t.Setenv(EnvClientSecret, srv.ClientSecret())
	t.Setenv(EnvOrganizationID, srv.OrganizationID())
	t.Setenv(EnvRegion, "eu") // api_url overrides it
	t.Setenv(EnvAPIVersion, workiva.DefaultAPIVersion)
	t.Setenv(EnvMaxRetries, "2")
	t.Setenv(EnvTokenURL, srv.URL()+workiva.TokenPath)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: `data "workiva_activities" "x" {
  max_results = 5
}`,
			ConfigStateChecks: listChecks(t, "data.workiva_activities.x", selectActivities(srv, "desc", 5, nil), true),
		}},
	})
}

// A pre-issued access token is used instead of client credentials.
func TestAccProvider_accessToken(t *testing.T) {
	srv := startEmulator(t, 30)
	clearEnv(t)
	tok := fetchToken(t, srv)
	before := srv.TokensIssued()
	t.Setenv(EnvAccessToken, tok)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			// The client credentials here are wrong on purpose: with a token
			// they must be ignored (with a warning).
			Config: fmt.Sprintf(`
provider "workiva" {
  api_url         = %q
  organization_id = %q
  client_id       = "ignored"
  client_secret   = "ignored-secret"
}
data "workiva_activities" "x" {}
`, srv.URL(), srv.OrganizationID()),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.workiva_activities.x", tfjsonpath.New("result_count"),
					knownvalue.Int64Exact(int64(len(srv.Activities())))),
			},
			Check: func(*terraform.State) error {
				if n := srv.TokensIssued(); n != before {
					return fmt.Errorf("%d tokens issued although an access token was configured", n-before)
				}
				return nil
			},
		}},
	})
}

func fetchToken(t *testing.T, srv *emulator.Server) string {
	t.Helper()
	form := url.Values{"grant_type": {"client_credentials"}}
	req, err := http.NewRequest(http.MethodPost, srv.URL()+workiva.TokenPath, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(srv.ClientID(), srv.ClientSecret())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok emulator.BearerToken
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.AccessToken == "" {
		t.Fatalf("token: status %d, %v", resp.StatusCode, err)
	}
	return tok.AccessToken
}

func TestAccProvider_missingCredentials(t *testing.T) {
	srv := startEmulator(t, 10)
	clearEnv(t)
	resource.Test(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{
			{
				Config: fmt.Sprintf(`
provider "workiva" {
  api_url   = %q
  client_id = "only-the-id"
}
data "workiva_activity_actions" "x" {}
`, srv.URL()),
				ExpectError: errRE(`Missing Workiva credentials.*client_id and client_secret.*` + EnvClientID + ` and ` + EnvClientSecret + `.*access_token.*` + EnvAccessToken),
			},
			{
				// No organization anywhere: the data source says where to set one.
				Config: fmt.Sprintf(`
provider "workiva" {
  api_url       = %q
  client_id     = %q
  client_secret = %q
}
data "workiva_activities" "x" {}
`, srv.URL(), srv.ClientID(), srv.ClientSecret()),
				ExpectError: errRE(`workiva_activities: missing organization_id.*` + EnvOrganizationID),
			},
		},
	})
}

// Bad environment values give diagnostics naming the variable.
func TestAccProvider_envValidation(t *testing.T) {
	cases := []struct{ env, value, want string }{
		{EnvRegion, "mars", `Invalid environment variable WORKIVA_REGION.*must be one of us, eu, apac`},
		{EnvAPIURL, "http://api.example.com", `Invalid environment variable WORKIVA_API_URL.*https://`},
		{EnvTokenURL, "token", `Invalid environment variable WORKIVA_TOKEN_URL`},
		{EnvAPIVersion, "v2", `Invalid environment variable WORKIVA_API_VERSION`},
		{EnvOrganizationID, "acme", `Invalid environment variable WORKIVA_ORGANIZATION_ID.*UUID`},
		{EnvMaxRetries, "-2", `Invalid environment variable WORKIVA_MAX_RETRIES.*at least 0`},
		{EnvMaxRetries, "many", `Invalid environment variable WORKIVA_MAX_RETRIES`},
		{EnvClientID, "   ", `Invalid environment variable WORKIVA_CLIENT_ID.*empty`},
	}
	for _, c := range cases {
		t.Run(c.env+"="+c.value, func(t *testing.T) {
			clearEnv(t)
			t.Setenv(EnvClientID, "id")
			t.Setenv(EnvClientSecret, "secret")
			t.Setenv(c.env, c.value)
			resource.Test(t, resource.TestCase{
				ProtoV6ProviderFactories: factories(),
				Steps: []resource.TestStep{{
					Config:      `data "workiva_activity_actions" "x" {}`,
					ExpectError: errRE(c.want),
				}},
			})
		})
	}
}

// Wrong credentials: the token endpoint's error, naming status and code.
func TestAccProvider_wrongCredentials(t *testing.T) {
	srv := startEmulator(t, 10)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: factories(),
		Steps: []resource.TestStep{{
			Config: fmt.Sprintf(`
provider "workiva" {
  api_url         = %q
  client_id       = %q
  client_secret   = "definitely-wrong"
  organization_id = %q
}
data "workiva_activities" "x" {}
`, srv.URL(), srv.ClientID(), srv.OrganizationID()),
			ExpectError: errRE(`workiva_activities: listing activities.*token endpoint answered HTTP 40[01]`),
		}},
	})
}
