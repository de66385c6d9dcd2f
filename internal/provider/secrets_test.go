package provider

import (
	"context"
	"encoding/base64"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/workiva/terraform-provider-workiva/internal/emulator"
)

// Secrets never leave the provider: not in a TRACE log, not in state, not in
// an error. Checked through the real CLI, with every data source, for client
// credentials and for an access token, on success and on failure.

// The schema the CLI receives marks both credentials sensitive (the CLI then
// redacts them from plans and its own output).
func TestProviderSchemaSensitiveOverProtocol(t *testing.T) {
	server, err := NewServer("test")()
	if err != nil {
		t.Fatal(err)
	}
	resp, err := server.GetProviderSchema(context.Background(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	sensitive := map[string]bool{}
	for _, a := range resp.Provider.Block.Attributes {
		sensitive[a.Name] = a.Sensitive
	}
	want := map[string]bool{"client_secret": true, "access_token": true, "client_id": false, "api_url": false}
	for name, w := range want {
		got, ok := sensitive[name]
		if !ok {
			t.Errorf("provider schema has no %s", name)
			continue
		}
		if got != w {
			t.Errorf("%s: sensitive = %v, want %v", name, got, w)
		}
	}
}

// leakCheck looks for each secret in texts (name -> content) and reports
// where, without printing the secret.
func leakCheck(t *testing.T, secrets map[string]string, texts map[string]string) {
	t.Helper()
	for sname, s := range secrets {
		if len(s) < 8 {
			t.Fatalf("secret %s is too short to search for reliably", sname)
		}
		for where, text := range texts {
			if i := strings.Index(text, s); i >= 0 {
				lo, hi := max(0, i-80), min(len(text), i+len(s)+40)
				t.Errorf("%s found in %s at byte %d: %q", sname, where, i, strings.ReplaceAll(text[lo:hi], s, "<"+sname+">"))
			}
		}
	}
}

// secretsConfig reads with every data source.
func secretsConfig(srv *emulator.Server, provider string) string {
	a := srv.Activities()[3]
	action := srv.Actions()[0]
	return provider + fmt.Sprintf(`
data "workiva_activities" "list" {
  max_results = 25
  page_size   = 10
}
data "workiva_activity" "one" {
  id = %q
}
data "workiva_activity_action" "by_alias" {
  alias = %q
}
data "workiva_activity_actions" "all" {}

output "count" {
  value = data.workiva_activities.list.result_count
}
output "summary" {
  value = data.workiva_activity.one.summary
}
output "action_count" {
  value = length(data.workiva_activity_actions.all.ids)
}
`, a.ID, action.Alias)
}

func TestAccSecrets_traceLogStateAndErrors(t *testing.T) {
	requireAcc(t)
	r := newCLIRun(t)
	srv := startEmulator(t, 100)
	const (
		wrongSecret = "wrong-secret-c0ffee-9d3a"
		bogusToken  = "bogus-token-7f3e1a2b9c"
	)
	texts := map[string]string{}
	step := 0
	// apply runs the CLI with TRACE logging into its own file and records
	// everything it wrote; ok says whether it must succeed.
	apply := func(name, config string, ok bool, extraEnv ...string) {
		t.Helper()
		step++
		r.writeConfig(config)
		logPath := filepath.Join(r.logDir, fmt.Sprintf("%02d-%s.log", step, name))
		env := append([]string{"TF_LOG=TRACE", "TF_LOG_PATH=" + logPath}, extraEnv...)
		out, err := r.run(env, "apply", "-auto-approve", "-input=false", "-no-color")
		if ok != (err == nil) {
			t.Fatalf("%s: apply error %v, want success %v\n%s", name, err, ok, out)
		}
		texts[name+" output"] = out
		log, rerr := os.ReadFile(logPath)
		if rerr != nil || len(log) < 10_000 {
			t.Fatalf("%s: TRACE log missing or short (%d bytes, %v): the check would prove nothing", name, len(log), rerr)
		}
		if !strings.Contains(string(log), "workiva: sending request") && !strings.Contains(string(log), "workiva: requesting access token") {
			t.Fatalf("%s: the TRACE log has no provider entries: the check would prove nothing", name)
		}
		texts[name+" TRACE log"] = string(log)
		if ok {
			show, err := r.run(nil, "show", "-json", "-no-color")
			if err != nil || !strings.Contains(show, `"workiva_activities"`) {
				t.Fatalf("%s: show -json: %v\n%s", name, err, show)
			}
			texts[name+" show -json"] = show
			st, err := os.ReadFile(filepath.Join(r.work, "terraform.tfstate"))
			if err != nil {
				t.Fatal(err)
			}
			texts[name+" terraform.tfstate"] = string(st)
		}
	}

	// Client credentials, in the configuration.
	apply("client-credentials", secretsConfig(srv, providerBlock(srv)), true)
	// A pre-issued access token, in the configuration.
	token := srv.IssueToken()
	apply("access-token", secretsConfig(srv, fmt.Sprintf(`
provider "workiva" {
  api_url         = %q
  access_token    = %q
  organization_id = %q
}
`, srv.URL(), token, srv.OrganizationID())), true)
	// And by environment variables.
	apply("env-credentials", secretsConfig(srv, ""), true,
		EnvAPIURL+"="+srv.URL(), EnvClientID+"="+srv.ClientID(), EnvClientSecret+"="+srv.ClientSecret(),
		EnvOrganizationID+"="+srv.OrganizationID())

	// Failures: wrong secret (token endpoint 401), an unknown token (API
	// 401), and an API error after a good token was issued (403).
	apply("wrong-secret", secretsConfig(srv, providerWith(srv, map[string]string{"client_secret": fmt.Sprintf("%q", wrongSecret)})), false)
	apply("bogus-token", secretsConfig(srv, fmt.Sprintf(`
provider "workiva" {
  api_url         = %q
  access_token    = %q
  organization_id = %q
}
`, srv.URL(), bogusToken, srv.OrganizationID())), false)
	apply("api-error", providerBlock(srv)+fmt.Sprintf(`
data "workiva_activities" "forbidden" {
  organization_id = %q
}
`, emulator.ForbiddenOrganizationID), false)
	for _, name := range []string{"wrong-secret", "bogus-token", "api-error"} {
		if !strings.Contains(texts[name+" output"], "Error: ") {
			t.Errorf("%s: no error in the CLI output:\n%s", name, texts[name+" output"])
		}
	}

	secrets := map[string]string{
		"client secret": srv.ClientSecret(),
		"wrong secret":  wrongSecret,
		"bogus token":   bogusToken,
		// The Basic credentials as the token request carries them.
		"basic credentials": base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(srv.ClientID()) + ":" + url.QueryEscape(srv.ClientSecret()))),
	}
	issued := srv.IssuedTokens()
	// client-credentials, env-credentials, api-error (a token each; the
	// plan and the apply share one provider instance per command, and each
	// command fetches its own), plus the pre-issued one.
	if len(issued) < 4 {
		t.Fatalf("%d tokens issued: the check would not cover fetched tokens", len(issued))
	}
	for i, tok := range issued {
		secrets[fmt.Sprintf("access token #%d", i+1)] = tok
	}
	leakCheck(t, secrets, texts)
}
