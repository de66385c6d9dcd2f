// Package provider is the Terraform layer of the Workiva provider: the
// provider schema and configuration, and the data sources over the
// Activities API. API details live in internal/workiva.
package provider

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/listvalidator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	"github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// Environment variables read by the provider.
const (
	EnvClientID       = "WORKIVA_CLIENT_ID"
	EnvClientSecret   = "WORKIVA_CLIENT_SECRET"
	EnvAccessToken    = "WORKIVA_ACCESS_TOKEN"
	EnvRegion         = "WORKIVA_REGION"
	EnvAPIURL         = "WORKIVA_API_URL"
	EnvTokenURL       = "WORKIVA_TOKEN_URL"
	EnvAPIVersion     = "WORKIVA_API_VERSION"
	EnvOrganizationID = "WORKIVA_ORGANIZATION_ID"
	EnvMaxRetries     = "WORKIVA_MAX_RETRIES"
)

var _ provider.Provider = (*workivaProvider)(nil)

type workivaProvider struct {
	version string

	// Test hooks, never set in production: a smaller page size for the
	// action catalog walk (to put an alias on a later page), and a final
	// adjustment of the client configuration (fast backoff, transport).
	actionPageSize int
	configHook     func(*workiva.Config)

	// data is what the last Configure produced, for the protocol wrapper in
	// server.go, which answers some reads below the framework.
	mu   sync.Mutex
	data *providerData
}

// configured returns the provider data of the last successful Configure,
// nil before it.
func (p *workivaProvider) configured() *providerData {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.data
}

type providerModel struct {
	ClientID       types.String `tfsdk:"client_id"`
	ClientSecret   types.String `tfsdk:"client_secret"`
	AccessToken    types.String `tfsdk:"access_token"`
	Region         types.String `tfsdk:"region"`
	APIURL         types.String `tfsdk:"api_url"`
	TokenURL       types.String `tfsdk:"token_url"`
	APIVersion     types.String `tfsdk:"api_version"`
	OrganizationID types.String `tfsdk:"organization_id"`
	Scopes         types.List   `tfsdk:"scopes"`
	MaxRetries     types.Int64  `tfsdk:"max_retries"`
	RequestTimeout types.String `tfsdk:"request_timeout"`
}

// providerData is what Configure hands to every data source.
type providerData struct {
	client         *workiva.Client
	organizationID string // default for data sources; "" when not configured
	actions        *actionCatalog
	version        string        // the provider's, for export manifests
	exports        *exportClaims // the paths this command's exports write
}

func (p *workivaProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = "workiva"
	resp.Version = p.version
}

func (p *workivaProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads audit activities from Workiva's Activities API. Authenticate with OAuth client credentials " +
			"(`client_id` and `client_secret`) or with a pre-issued `access_token`. Every attribute can also be set by " +
			"its environment variable; a value in the configuration wins over the variable.",
		Attributes: map[string]schema.Attribute{
			"client_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "OAuth client ID of the Workiva service account. Environment variable: `" + EnvClientID + "`. " +
					"No default; required (with `client_secret`) unless `access_token` is set.",
				Validators: []validator.String{notBlank()},
			},
			"client_secret": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "OAuth client secret. Environment variable: `" + EnvClientSecret + "`. " +
					"No default; required (with `client_id`) unless `access_token` is set.",
				Validators: []validator.String{notBlank()},
			},
			"access_token": schema.StringAttribute{
				Optional:  true,
				Sensitive: true,
				MarkdownDescription: "A pre-issued bearer token, used instead of client credentials (which are then ignored, with a warning). " +
					"Environment variable: `" + EnvAccessToken + "`. No default.",
				Validators: []validator.String{notBlank()},
			},
			"region": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Workiva region whose API host is used: `us`, `eu` or `apac`. Ignored when `api_url` is set. " +
					"Environment variable: `" + EnvRegion + "`. Default: `us`.",
				Validators: []validator.String{stringvalidator.OneOf(workiva.Regions...)},
			},
			"api_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Base URL of the Workiva API, overriding `region`; `https://`, or `http://` on a loopback host. " +
					"Environment variable: `" + EnvAPIURL + "`. Default: the host of `region` (`https://api.app.wdesk.com` for `us`).",
				Validators: []validator.String{validURL()},
			},
			"token_url": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "OAuth token endpoint. Environment variable: `" + EnvTokenURL + "`. " +
					"Default: `{api_url}" + workiva.TokenPath + "`.",
				Validators: []validator.String{validURL()},
			},
			"api_version": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "API version sent as the `X-Version` header. Environment variable: `" + EnvAPIVersion + "`. " +
					"Default: `" + workiva.DefaultAPIVersion + "`.",
				Validators: []validator.String{validAPIVersion()},
			},
			"organization_id": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "UUID of the Workiva organization that data sources read when they do not name one. " +
					"Environment variable: `" + EnvOrganizationID + "`. No default.",
				Validators: []validator.String{validUUID()},
			},
			"scopes": schema.ListAttribute{
				Optional:    true,
				ElementType: types.StringType,
				MarkdownDescription: "OAuth scopes to request with client credentials (reading activities needs `activity:read`). " +
					"No environment variable. Default: none, so the token carries the client's default scopes.",
				Validators: []validator.List{listvalidator.ValueStringsAre(notBlank())},
			},
			"max_retries": schema.Int64Attribute{
				Optional: true,
				MarkdownDescription: "How many times a failed request (429, 5xx, network error or timeout), the OAuth token request included, is retried; 0 disables retries. " +
					"Environment variable: `" + EnvMaxRetries + "`. Default: `" + strconv.Itoa(workiva.DefaultMaxRetries) + "`.",
				Validators: []validator.Int64{int64validator.AtLeast(0)},
			},
			"request_timeout": schema.StringAttribute{
				Optional: true,
				MarkdownDescription: "Time limit of each HTTP request (each attempt, reading the answer included), as a Go duration " +
					"such as `30s` or `2m`; a request that takes longer fails and is retried like a network error (see `max_retries`). " +
					"It is what ends a read when Workiva accepts the connection but never answers: Terraform has no timeout of its own " +
					"for data sources. No environment variable. Default: `" + strconv.Itoa(int(workiva.DefaultRequestTimeout/time.Second)) + "s`.",
				Validators: []validator.String{validDuration()},
			},
		},
	}
}

// resolver gathers each attribute's value from configuration, else its
// environment variable, recording diagnostics that name where a bad value
// came from.
type resolver struct {
	diags diag.Diagnostics
}

func (r *resolver) unknown(attr string) {
	r.diags.AddAttributeError(path.Root(attr), "Unknown provider configuration value",
		fmt.Sprintf("The provider cannot be configured because attribute %s is not known until apply. "+
			"Use a value known at plan time, or leave it unset and use its environment variable.", attr))
}

// str resolves a string attribute. check (may be nil) validates values from
// the environment; configuration values were validated at plan time.
func (r *resolver) str(v types.String, attr, env string, check func(string) error) (string, string) {
	if v.IsUnknown() {
		r.unknown(attr)
		return "", ""
	}
	if !v.IsNull() {
		return v.ValueString(), "attribute " + attr
	}
	if env == "" {
		return "", ""
	}
	s, ok := os.LookupEnv(env)
	if !ok || s == "" { // an empty variable counts as unset, as in most CLIs
		return "", ""
	}
	if check != nil {
		if err := check(s); err != nil {
			r.diags.AddError("Invalid environment variable "+env,
				fmt.Sprintf("Environment variable %s (provider attribute %s) %s", env, attr, err))
			return "", ""
		}
	}
	return s, "environment variable " + env
}

func (p *workivaProvider) Configure(ctx context.Context, req provider.ConfigureRequest, resp *provider.ConfigureResponse) {
	var m providerModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &m)...)
	if resp.Diagnostics.HasError() {
		return
	}

	r := &resolver{}
	clientID, idFrom := r.str(m.ClientID, "client_id", EnvClientID, checkNotBlank)
	clientSecret, secretFrom := r.str(m.ClientSecret, "client_secret", EnvClientSecret, checkNotBlank)
	accessToken, _ := r.str(m.AccessToken, "access_token", EnvAccessToken, checkNotBlank)
	region, _ := r.str(m.Region, "region", EnvRegion, workiva.CheckRegion)
	apiURL, _ := r.str(m.APIURL, "api_url", EnvAPIURL, workiva.CheckURL)
	tokenURL, _ := r.str(m.TokenURL, "token_url", EnvTokenURL, workiva.CheckURL)
	apiVersion, _ := r.str(m.APIVersion, "api_version", EnvAPIVersion, workiva.CheckAPIVersion)
	orgID, _ := r.str(m.OrganizationID, "organization_id", EnvOrganizationID, checkUUID)
	timeoutText, _ := r.str(m.RequestTimeout, "request_timeout", "", nil)

	// Mask secrets in everything logged from here on, before anything could
	// log them. The client masks too; this is the second line of defense.
	secrets := nonEmpty(clientSecret, accessToken)
	ctx = maskSecrets(ctx, secrets)

	cfg := workiva.Config{
		Region:      region,
		APIURL:      apiURL,
		TokenURL:    tokenURL,
		APIVersion:  apiVersion,
		UserAgent:   userAgent(p.version, req.TerraformVersion),
		Logger:      tflogLogger{secrets: secrets},
		AccessToken: accessToken,
	}
	if cfg.Region == "" {
		cfg.Region = workiva.DefaultRegion
	}
	if cfg.APIVersion == "" {
		cfg.APIVersion = workiva.DefaultAPIVersion
	}

	switch {
	case m.MaxRetries.IsUnknown():
		r.unknown("max_retries")
	case !m.MaxRetries.IsNull():
		n := int(m.MaxRetries.ValueInt64())
		cfg.MaxRetries = &n
	default:
		if s := os.Getenv(EnvMaxRetries); s != "" {
			n, err := strconv.Atoi(strings.TrimSpace(s))
			if err != nil || n < 0 {
				r.diags.AddError("Invalid environment variable "+EnvMaxRetries,
					fmt.Sprintf("Environment variable %s (provider attribute max_retries) must be a whole number of at least 0, got %q", EnvMaxRetries, s))
			} else {
				cfg.MaxRetries = &n
			}
		}
	}
	if cfg.MaxRetries == nil {
		n := workiva.DefaultMaxRetries
		cfg.MaxRetries = &n
	}

	if timeoutText != "" {
		// Validated at plan time; checked again because Configure must never
		// trust that validation ran (e.g. a value computed late).
		d, err := checkDuration(timeoutText)
		if err != nil {
			r.diags.AddAttributeError(path.Root("request_timeout"), "Invalid duration", "Attribute request_timeout "+err.Error())
		}
		cfg.RequestTimeout = d
	} else {
		cfg.RequestTimeout = workiva.DefaultRequestTimeout
	}

	switch {
	case m.Scopes.IsUnknown():
		r.unknown("scopes")
	case !m.Scopes.IsNull():
		r.diags.Append(m.Scopes.ElementsAs(ctx, &cfg.Scopes, false)...)
	}

	if accessToken != "" {
		if clientID != "" || clientSecret != "" {
			from := strings.Join(nonEmpty(idFrom, secretFrom), " and ")
			r.diags.AddWarning("Client credentials ignored",
				fmt.Sprintf("access_token is set, so the provider uses it and ignores the client credentials given by %s.", from))
		}
	} else if clientID == "" || clientSecret == "" {
		if !r.diags.HasError() {
			r.diags.AddError("Missing Workiva credentials",
				"The provider needs either client credentials or an access token. Set client_id and client_secret "+
					"(or the environment variables "+EnvClientID+" and "+EnvClientSecret+"), "+
					"or set access_token (or "+EnvAccessToken+").")
		}
	} else {
		cfg.ClientID = clientID
		cfg.ClientSecret = clientSecret
	}

	resp.Diagnostics.Append(r.diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	if p.configHook != nil {
		p.configHook(&cfg)
	}
	client, err := workiva.New(cfg)
	if err != nil {
		resp.Diagnostics.AddError("Invalid Workiva provider configuration", maskText(err.Error(), secrets))
		return
	}

	data := &providerData{
		client:         client,
		organizationID: orgID,
		actions:        &actionCatalog{client: client, pageSize: p.actionPageSize},
		version:        p.version,
		exports:        &exportClaims{},
	}
	resp.DataSourceData = data
	resp.ResourceData = data
	p.mu.Lock()
	p.data = data
	p.mu.Unlock()
	tflog.Debug(ctx, "Workiva provider configured", map[string]any{
		"api_url": workiva.RedactURL(client.APIURL()), "region": cfg.Region, "api_version": cfg.APIVersion,
		"auth": authKind(accessToken), "organization_id": orgID,
		"request_timeout": cfg.RequestTimeout.String(), "max_retries": *cfg.MaxRetries,
	})
}

func authKind(accessToken string) string {
	if accessToken != "" {
		return "access_token"
	}
	return "client_credentials"
}

func userAgent(version, terraformVersion string) string {
	if version == "" {
		version = "dev"
	}
	ua := "terraform-provider-workiva/" + version
	if terraformVersion != "" {
		ua += " (+terraform " + terraformVersion + ")"
	}
	return ua
}

func nonEmpty(ss ...string) []string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// maskText replaces each secret in s; used on error texts from the client.
func maskText(s string, secrets []string) string {
	for _, sec := range secrets {
		s = strings.ReplaceAll(s, sec, "***")
	}
	return s
}

func (p *workivaProvider) DataSources(context.Context) []func() datasource.DataSource {
	return []func() datasource.DataSource{
		newActivityDataSource,
		newActivitiesDataSource,
		newActivitiesExportDataSource,
		newActivityActionDataSource,
		newActivityActionsDataSource,
	}
}

func (p *workivaProvider) Resources(context.Context) []func() resource.Resource { return nil }

// configureData extracts the provider data in a data source's Configure. It
// is nil before the provider is configured (e.g. during validation).
func configureData(pd any, diags *diag.Diagnostics) *providerData {
	if pd == nil {
		return nil
	}
	d, ok := pd.(*providerData)
	if !ok {
		diags.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider; please report it.", pd))
		return nil
	}
	return d
}
