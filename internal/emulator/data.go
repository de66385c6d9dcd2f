package emulator

import (
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
)

// Fixed identities of the emulated tenant. They do not depend on the seed so
// tests and examples can name them.
const (
	DefaultOrganizationID   = "6f1c2b9e-3d4a-4e8b-9c71-2a5d8e0f4b13"
	DefaultOrganizationName = "Acme Reporting Co."
	// ForbiddenOrganizationID answers 403: it exists, but the emulated
	// client holds no admin role in it.
	ForbiddenOrganizationID = "9b2e4c61-7f3a-4d0e-b5c8-1e6a2f9d7c40"

	DefaultClientID     = "emulator-client"
	DefaultClientSecret = "emulator-secret-5b8e1d4c2a"

	// DefaultSeed is used when Options.Seed is 0.
	DefaultSeed = 20260101
	// DefaultActivities is used when Options.Activities is 0.
	DefaultActivities = 5000
	// Span is how far before Now the activities reach.
	Span = 180 * 24 * time.Hour
)

// DefaultNow is the anchor used when Options.Now is zero, so tests see the
// same data every run.
var DefaultNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

// Types of performers and targets, as Workiva spells them.
const (
	typeUser        = "com.workiva.iam.principal.user"
	typeIntegration = "com.workiva.iam.principal.integration"
	typeService     = "com.workiva.iam.principal.service"
	typeTargetUser  = "com.workiva.administration.user"
	typeWorkspace   = "com.workiva.administration.workspace"
	typeOrg         = "com.workiva.administration.organization"
	typeRole        = "com.workiva.administration.role"
	typeGroup       = "com.workiva.administration.group"
	typeAPIClient   = "com.workiva.iam.oauth_client"
	typeFile        = "com.workiva.file"
	typeFolder      = "com.workiva.file.folder"
)

type principal struct {
	Performer
	ips []string
}

// The action kinds decide targets, summary, workspace and attachments.
type kind int

const (
	kLogin kind = iota
	kLogout
	kLoginFailed
	kMemberAdd
	kMemberRemove
	kMemberUpdate
	kWorkspaceCreate
	kWorkspaceUpdate
	kWorkspaceDelete
	kRoleAssign
	kRoleRemove
	kOrgUser
	kGroup
	kGroupMember
	kSecurity
	kAPIClient
	kFile
	kDocument
	kRetention
)

type actionSpec struct {
	Action
	weight int
	kind   kind
	verb   string // used in summaries
}

func act(id, alias, name, category string, deprecated bool, weight int, k kind, verb string) actionSpec {
	return actionSpec{Action{ID: id, Alias: alias, Name: name, Category: category, Deprecated: deprecated}, weight, k, verb}
}

const (
	adm = "com.workiva.administration."
	sec = "com.workiva.security."
	iam = "com.workiva.iam."
)

// catalog is the action catalogue. Weights are rough shares of real audit
// logs: logins dominate, role changes are rare.
var catalog = []actionSpec{
	act(iam+"authentication.login", "user_login", "User logged in", "Authentication", false, 260, kLogin, ""),
	act(iam+"authentication.logout", "user_logout", "User logged out", "Authentication", false, 120, kLogout, ""),
	act(iam+"authentication.login_failed", "user_login_failed", "User login failed", "Authentication", false, 20, kLoginFailed, ""),
	act(iam+"sso.login", "sso_login", "User logged in with SSO", "Authentication", true, 10, kLogin, ""),
	act(iam+"session.create", "user_session_create", "User session created", "Authentication", true, 6, kLogin, ""),
	act(adm+"workspace_membership.create", "workspace_membership_create", "Workspace membership created", "Administration", false, 60, kMemberAdd, "added"),
	act(adm+"workspace_membership.delete", "workspace_membership_delete", "Workspace membership deleted", "Administration", false, 25, kMemberRemove, "removed"),
	act(adm+"workspace_membership.update", "workspace_membership_update", "Workspace membership updated", "Administration", false, 15, kMemberUpdate, "updated"),
	act(adm+"workspace.create", "workspace_create", "Workspace created", "Administration", false, 4, kWorkspaceCreate, "created"),
	act(adm+"workspace.update", "workspace_update", "Workspace updated", "Administration", false, 18, kWorkspaceUpdate, "updated"),
	act(adm+"workspace.delete", "workspace_delete", "Workspace deleted", "Administration", false, 2, kWorkspaceDelete, "deleted"),
	act(adm+"org_user_role.create", "org_user_role_create", "Organization user role assigned", "Administration", false, 12, kRoleAssign, "assigned"),
	act(adm+"org_user_role.delete", "org_user_role_delete", "Organization user role removed", "Administration", false, 8, kRoleRemove, "removed"),
	act(adm+"org_user.create", "org_user_create", "Organization user created", "Administration", false, 8, kOrgUser, "created"),
	act(adm+"org_user.update", "org_user_update", "Organization user updated", "Administration", false, 10, kOrgUser, "updated"),
	act(adm+"org_user.delete", "org_user_delete", "Organization user deactivated", "Administration", false, 3, kOrgUser, "deactivated"),
	act(adm+"user_invite.create", "user_invite_create", "User invited", "Administration", true, 3, kOrgUser, "invited"),
	act(adm+"license.assign", "license_assign", "License assigned", "Administration", true, 2, kOrgUser, "assigned a license to"),
	act(adm+"group.create", "group_create", "Group created", "Administration", false, 3, kGroup, "created"),
	act(adm+"group.delete", "group_delete", "Group deleted", "Administration", false, 1, kGroup, "deleted"),
	act(adm+"group_membership.create", "group_membership_create", "Group membership created", "Administration", false, 12, kGroupMember, "added"),
	act(adm+"group_membership.delete", "group_membership_delete", "Group membership deleted", "Administration", false, 6, kGroupMember, "removed"),
	act(adm+"organization.update", "organization_update", "Organization updated", "Administration", false, 2, kSecurity, "updated the organization settings"),
	act(sec+"password_policy.update", "password_policy_update", "Password policy updated", "Security", false, 2, kSecurity, "updated the password policy"),
	act(sec+"session_timeout.update", "session_timeout_update", "Session timeout updated", "Security", false, 2, kSecurity, "changed the session timeout"),
	act(sec+"mfa_policy.update", "mfa_policy_update", "Multi-factor authentication policy updated", "Security", false, 2, kSecurity, "updated the multi-factor authentication policy"),
	act(sec+"two_factor.enable", "two_factor_enable", "Two-factor authentication enabled", "Security", true, 1, kSecurity, "enabled two-factor authentication"),
	act(sec+"ip_allowlist.update", "ip_allowlist_update", "IP allowlist updated", "Security", false, 2, kSecurity, "updated the IP allowlist"),
	act(sec+"saml_configuration.update", "saml_configuration_update", "SAML configuration updated", "Security", false, 1, kSecurity, "updated the SAML configuration"),
	act(iam+"oauth_client.create", "api_client_create", "OAuth client created", "Security", false, 2, kAPIClient, "created"),
	act(iam+"oauth_client.delete", "api_client_delete", "OAuth client deleted", "Security", false, 1, kAPIClient, "deleted"),
	act(iam+"oauth_client.secret_rotate", "api_client_secret_rotate", "OAuth client secret rotated", "Security", false, 2, kAPIClient, "rotated the secret of"),
	act("com.workiva.file.create", "file_create", "File created", "Files", false, 40, kFile, "created"),
	act("com.workiva.file.delete", "file_delete", "File deleted", "Files", false, 10, kFile, "deleted"),
	act("com.workiva.file.export", "file_export", "File exported", "Files", false, 30, kFile, "exported"),
	act("com.workiva.file.restore", "file_restore", "File restored", "Files", false, 3, kFile, "restored"),
	act("com.workiva.file.permission.update", "file_permission_update", "File permissions updated", "Files", false, 8, kFile, "changed the permissions of"),
	act("com.workiva.spreadsheet.export", "spreadsheet_export", "Spreadsheet exported", "Files", true, 4, kFile, "exported"),
	act("com.workiva.document.publish", "document_publish", "Document published", "Content", false, 8, kDocument, "published"),
	act("com.workiva.document.download", "document_download", "Document downloaded", "Content", false, 20, kDocument, "downloaded"),
	act("com.workiva.activity.retention_policy.update", "retention_policy_update", "Activity retention policy updated", "Activity", false, 1, kRetention, "updated the activity retention policy"),
}

func init() {
	// Some of Workiva's examples repeat the action id as "type"; do so on a
	// few so clients see both shapes.
	for i := range catalog {
		if i%4 == 1 {
			catalog[i].Type = catalog[i].ID
		}
	}
	// Workspace details the schema declares, in every shape it allows:
	// all of them, some, a stamp without its user, an empty and a
	// name-less solution list, and none (the examples' usual id and name).
	stamp := func(at string, u *principal) *Stamp {
		s := &Stamp{DateTime: at}
		if u != nil {
			s.User = &User{ID: u.ID}
		}
		return s
	}
	for i := range workspaces {
		w := &workspaces[i]
		switch i % 4 {
		case 0:
			w.Created = stamp("2019-10-30T15:03:27Z", &users[0])
			w.Modified = stamp("2026-02-11T08:41:09.250Z", &users[i%len(users)])
			w.Organization = &orgDetails
			w.Solutions = []Solution{{ID: "60", Name: "Connected Global Statutory Reporting (with Entity Management)"}}
		case 1:
			w.Created = stamp("2024-07-01T00:00:00Z", &users[1])
			w.Modified = stamp("2025-12-31T23:59:59Z", nil) // changed by the platform
		case 2:
			w.Created = stamp("2025-03-14T09:26:53Z", &users[2])
			w.Solutions = []Solution{}
			w.Organization = &Organization{ID: DefaultOrganizationID, Name: DefaultOrganizationName}
		case 3:
			if i == 3 {
				w.Solutions = []Solution{{ID: "17"}}
			}
		}
	}
}

// orgDetails is the organization with everything the schema declares; one
// activity in four carries it, the others only its id and name.
var orgDetails = Organization{
	ID: DefaultOrganizationID, Name: DefaultOrganizationName, Status: "active",
	Created:  &Stamp{DateTime: "2019-10-30T15:03:27Z", User: &User{ID: users[0].ID}},
	Modified: &Stamp{DateTime: "2026-01-05T17:02:44Z"},
}

func b64(s string) string    { return base64.StdEncoding.EncodeToString([]byte(s)) }
func rawB64(s string) string { return base64.RawStdEncoding.EncodeToString([]byte(s)) }

func user(n int, name, unique string, ips ...string) principal {
	id := rawB64(fmt.Sprintf("WFUser\x1f%013d", 4571702000+int64(n)*7919))
	return principal{Performer{ID: id, Type: typeUser, DisplayName: name, UniqueName: unique}, ips}
}

// users of the emulated organization: non-ASCII names and an apostrophe on
// purpose. The last user's ID holds '+' and '/', which tests query escaping.
var users = []principal{
	user(1, "Adam Admin", "admin_admin@example.com", "192.168.1.1", "10.20.0.14"),
	user(2, "Zoë Ångström", "zoe.angstrom@example.com", "81.2.69.160"),
	user(3, "李小龍", "li.xiaolong@example.com", "203.0.113.77", "2001:db8::4a1"),
	user(4, "José Núñez", "jose.nunez@example.com", "198.51.100.23"),
	user(5, "Seán O'Brien", "sean.obrien@example.com", "198.51.100.58"),
	user(6, "Priya Raghunathan", "priya.r@example.com", "192.0.2.41"),
	user(7, "Marcus Chen", "marcus.chen@example.com", "192.0.2.87"),
	user(8, "Olivia Bennett", "olivia.bennett@example.com", "203.0.113.5"),
	user(9, "Fatima Al-Sayed", "fatima.alsayed@example.com", "198.51.100.102"),
	user(10, "Kwame Mensah", "kwame.mensah@example.com", "192.0.2.200"),
	user(11, "Ingrid Søndergaard", "ingrid.sondergaard@example.com", "2001:db8:0:7::19"),
	{Performer{ID: b64("WFUser\x1f\xfb\xff\xbf\x12\x34\x56\x78"), Type: typeUser, DisplayName: "Dmitri Volkov", UniqueName: "dmitri.volkov@example.com"}, []string{"192.0.2.9"}},
}

// integrations are non-user performers.
var integrations = []principal{
	{Performer{ID: rawB64("WFIntegration\x1f000000417"), Type: typeIntegration, DisplayName: "SCIM Provisioning (Okta)", UniqueName: "scim-okta"}, []string{"52.45.10.3"}},
	{Performer{ID: rawB64("WFIntegration\x1f000000522"), Type: typeIntegration, DisplayName: "Nightly ERP Sync", UniqueName: "erp-sync@integrations.example.com"}, []string{"10.40.1.7"}},
	{Performer{ID: rawB64("WFService\x1fplatform"), Type: typeService, DisplayName: "Workiva Platform"}, nil},
}

func workspace(name string, suffix string) Workspace {
	return Workspace{ID: b64("Account\x1f" + suffix), Name: name}
}

// workspaces: base64-looking IDs; two are binary so they hold '/', '+' and
// '=' and exercise path escaping of workspaceId.
var workspaces = []Workspace{
	workspace("Organization Management", "5639445604728832"),
	workspace("FY2026 10-K", "5323290938703872"),
	workspace("Q2 2026 10-Q", "6012775390117888"),
	workspace("SOX Controls 2026", "4811903512641536"),
	workspace("ESG Report — Zürich", "\xfb\xef\xbe\x11\x22"),
	workspace("Board Reporting", "5905123416850432"),
	workspace("Tax Provision", "\x3f\xff\x7e\xa0"),
	workspace("Kim's Sandbox", "6733221890048000"),
}

var roles = []Target{
	{ID: rawB64("Role\x1forg_user_admin"), Type: typeRole, DisplayName: "Org User Admin", UniqueName: "org_user_admin"},
	{ID: rawB64("Role\x1forg_workspace_admin"), Type: typeRole, DisplayName: "Org Workspace Admin", UniqueName: "org_workspace_admin"},
	{ID: rawB64("Role\x1forg_security_admin"), Type: typeRole, DisplayName: "Org Security Admin", UniqueName: "org_security_admin"},
	{ID: rawB64("Role\x1forg_report_admin"), Type: typeRole, DisplayName: "Org Report Admin", UniqueName: "org_report_admin"},
}

var workspaceRoles = []string{"Owner", "Editor", "Viewer", "Commenter"}

var groups = []Target{
	{ID: rawB64("Group\x1f1001"), Type: typeGroup, DisplayName: "Finance – Close Team"},
	{ID: rawB64("Group\x1f1002"), Type: typeGroup, DisplayName: "Internal Audit"},
	{ID: rawB64("Group\x1f1003"), Type: typeGroup, DisplayName: "Contrôle de gestion"},
}

var apiClients = []Target{
	{ID: "7d1e0f2a9c4b4e31a8b6c5d4e3f20a19", Type: typeAPIClient, DisplayName: "Terraform audit reader"},
	{ID: "0c9b8a7f6e5d4c3b2a1908f7e6d5c4b3", Type: typeAPIClient, DisplayName: "SIEM export"},
}

var fileNames = []string{
	"Q2 2026 Income Statement.xlsx", "10-K Draft – Risk Factors.docx", "Board Deck «Final».pptx",
	"Überleitungsrechnung.xlsx", "O'Neil memo.pdf", "ESG Data Collection.xlsx", "SOX 404 Walkthroughs.docx",
	"Tax Rate Reconciliation.xlsx", "Cash Flow (indirect).xlsx", "財務報告書 2026.docx",
}

var userAgents = []string{
	"Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
	"Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
	"Workiva/7.12 (iPad; iPadOS 17.5)",
}

var cities = []map[string]string{
	{"city": "Zürich", "country": "CH"}, {"city": "Ames", "region": "Iowa", "country": "US"},
	{"city": "東京", "country": "JP"}, {"city": "São Paulo", "country": "BR"}, {"city": "Denver", "region": "Colorado", "country": "US"},
}

type dataset struct {
	org        Organization
	actions    []Action // by id
	actionIdx  map[string]int
	activities []Activity // ascending (At, ID)
	encoded    [][]byte   // JSON of activities[i]
	byID       map[string]int
	wsIdx      map[string]bool
}

type generator struct {
	r      *rand.Rand
	now    time.Time
	org    Organization
	total  int
	cum    []int
	ids    map[string]bool
	out    []Activity
	serial int
	burst  burstState
}

// generate builds the default (burst-free) data set.
func generate(seed int64, now time.Time, n int) *dataset {
	return generateBurst(seed, now, n, Burst{})
}

// generateBurst builds the data set. It is a pure function of its arguments.
func generateBurst(seed int64, now time.Time, n int, burst Burst) *dataset {
	now = now.UTC().Truncate(time.Second)
	g := &generator{
		r:   rand.New(rand.NewPCG(uint64(seed), 0x5eed_c0de_f00d_cafe)),
		now: now,
		org: Organization{ID: DefaultOrganizationID, Name: DefaultOrganizationName},
		ids: make(map[string]bool, n),
		out: make([]Activity, 0, n),
	}
	g.burst.b = burst
	for _, a := range catalog {
		g.total += a.weight
		g.cum = append(g.cum, g.total)
	}
	// The demo asks for logins and role changes in the last 24 hours: put
	// some there whatever the seed.
	recent := []struct {
		alias string
		ago   time.Duration
	}{
		{"user_login", 47 * time.Minute}, {"org_user_role_create", 2*time.Hour + 13*time.Minute},
		{"user_login", 3*time.Hour + 5*time.Minute}, {"org_user_role_delete", 5*time.Hour + 41*time.Minute},
		{"user_login", 8*time.Hour + 22*time.Minute}, {"org_user_role_create", 11*time.Hour + 2*time.Minute},
		{"user_login", 16*time.Hour + 30*time.Minute}, {"user_login", 22*time.Hour + 9*time.Minute},
	}
	for _, rc := range recent {
		if len(g.out) >= n {
			break
		}
		for i := range catalog {
			if catalog[i].Alias == rc.alias {
				g.emit(&catalog[i], now.Add(-rc.ago), n)
			}
		}
	}
	for len(g.out) < n {
		at := now.Add(-g.back(time.Duration(g.r.Int64N(int64(Span/time.Millisecond))+1) * time.Millisecond))
		if g.r.IntN(20) != 0 {
			at = at.Truncate(time.Second) // most timestamps are whole seconds
		}
		g.emit(g.pick(), at, n)
	}
	// Sort positions rather than the (large) structs, then permute once.
	order := make([]int32, len(g.out))
	for i := range order {
		order[i] = int32(i)
	}
	slices.SortFunc(order, func(x, y int32) int {
		a, b := &g.out[x], &g.out[y]
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	sorted := make([]Activity, len(g.out))
	for i, k := range order {
		sorted[i] = g.out[k]
	}
	g.out = sorted

	d := &dataset{org: g.org, activities: g.out, byID: make(map[string]int, n), actionIdx: map[string]int{}, wsIdx: map[string]bool{}}
	for _, a := range catalog {
		d.actions = append(d.actions, a.Action)
	}
	slices.SortFunc(d.actions, func(a, b Action) int { return strings.Compare(a.ID, b.ID) })
	for i, a := range d.actions {
		d.actionIdx[a.ID] = i
	}
	for _, w := range workspaces {
		d.wsIdx[w.ID] = true
	}
	for i := range d.activities {
		d.byID[d.activities[i].ID] = i
	}
	d.encoded = encodeAll(d.activities)
	return d
}

// encodeAll encodes every activity once, in parallel chunks, each chunk's
// JSON sharing one buffer to keep the allocation count low.
func encodeAll(acts []Activity) [][]byte {
	out := make([][]byte, len(acts))
	const chunk = 2048
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, runtime.GOMAXPROCS(0)))
	for lo := 0; lo < len(acts); lo += chunk {
		hi := min(lo+chunk, len(acts))
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			buf := make([]byte, 0, (hi-lo)*1024)
			ends := make([]int, hi-lo)
			for i := lo; i < hi; i++ {
				buf = appendActivity(buf, &acts[i])
				ends[i-lo] = len(buf)
			}
			start := 0
			for i := lo; i < hi; i++ {
				e := ends[i-lo]
				out[i] = buf[start:e:e]
				start = e
			}
		}()
	}
	wg.Wait()
	return out
}

func (g *generator) pick() *actionSpec {
	x := g.r.IntN(g.total)
	i, _ := slices.BinarySearch(g.cum, x+1)
	return &catalog[i]
}

func (g *generator) user() principal { return users[g.r.IntN(len(users))] }

func (g *generator) newID() string {
	for {
		g.serial++
		// 20..22 random bytes after a short prefix: the length cycles the
		// padding through none, "==" and "=", and random bytes give '/'
		// and '+' often. Every 25th ID starts with bytes that encode "+/+/".
		b := make([]byte, 0, 32)
		if g.serial%25 == 1 {
			b = append(b, 0xfb, 0xff, 0xbf)
		} else {
			b = append(b, "act"...)
		}
		m := 20 + g.r.IntN(3)
		for range m {
			b = append(b, byte(g.r.UintN(256)))
		}
		id := base64.StdEncoding.EncodeToString(b)
		if !g.ids[id] {
			g.ids[id] = true
			return id
		}
	}
}

func (g *generator) hex(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	return hex.EncodeToString(b)
}

func (g *generator) eventID() string {
	b := make([]byte, 16)
	for i := range b {
		b[i] = byte(g.r.UintN(256))
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func userTarget(p principal) Target {
	return Target{ID: p.ID, Type: typeTargetUser, DisplayName: p.DisplayName, UniqueName: strings.SplitN(p.UniqueName, "@", 2)[0]}
}

func wsTarget(w Workspace) Target { return Target{ID: w.ID, Type: typeWorkspace, DisplayName: w.Name} }

func mustJSON(v any) json.RawMessage {
	b, err := marshalNoEscape(v)
	if err != nil {
		return json.RawMessage(`{}`)
	}
	return b
}

func change(prop string, oldV, newV any) json.RawMessage {
	return mustJSON(map[string]any{"entityChanges": map[string]any{"propertyName": prop, "old": oldV, "new": newV}})
}

// emit appends one activity, and sometimes a burst of siblings that share
// its timestamp and correlation ID (bulk operations), so ties in
// activityDateTime occur and the id tie-break matters.
func (g *generator) emit(spec *actionSpec, at time.Time, n int) {
	burst := 1
	if (spec.kind == kMemberAdd || spec.kind == kGroupMember) && g.r.IntN(12) == 0 {
		burst = 2 + g.r.IntN(3)
	}
	corr := g.hex(14)
	actor := g.user()
	switch {
	case spec.kind == kOrgUser || spec.kind == kGroupMember:
		if g.r.IntN(3) == 0 {
			actor = integrations[0] // SCIM provisioning
		}
	case spec.kind == kFile && spec.Alias != "file_permission_update":
		if g.r.IntN(6) == 0 {
			actor = integrations[1]
		}
	case spec.kind == kRetention:
		if g.r.IntN(2) == 0 {
			actor = integrations[2]
		}
	}
	for range burst {
		if len(g.out) >= n {
			return
		}
		g.out = append(g.out, g.build(spec, at, actor, corr))
	}
}

func (g *generator) build(spec *actionSpec, at time.Time, actor principal, corr string) Activity {
	a := Activity{
		ID:           g.newID(),
		Action:       spec.Action,
		At:           at,
		Outcome:      "success",
		Performer:    actor.Performer,
		Organization: g.org,
		Tags:         []string{"correlationId:" + corr, "eventId:" + g.eventID()},
	}
	if len(g.out)%4 == 0 {
		a.Organization = orgDetails
	}
	if at.Nanosecond() == 0 {
		a.ActivityDateTime = at.Format("2006-01-02T15:04:05Z")
	} else {
		a.ActivityDateTime = at.Format("2006-01-02T15:04:05.000Z")
	}
	if len(actor.ips) > 0 {
		a.Performer.IPAddress = actor.ips[g.r.IntN(len(actor.ips))]
	}
	who := actor.DisplayName
	ws := workspaces[g.r.IntN(len(workspaces))]
	other := g.user()
	atWorkspace := false

	switch spec.kind {
	case kLogin, kLogout, kLoginFailed:
		a.Targets = []Target{userTarget(actor)}
		switch spec.kind {
		case kLogin:
			a.Summary = who + " logged in"
		case kLogout:
			a.Summary = who + " logged out"
		default:
			a.Summary = "Failed login attempt for " + actor.UniqueName
			a.Outcome = "failure"
		}
		if g.r.IntN(3) == 0 {
			att := map[string]any{
				"client":         map[string]any{"userAgent": userAgents[g.r.IntN(len(userAgents))]},
				"authentication": map[string]any{"method": []string{"password", "saml", "oidc"}[g.r.IntN(3)], "mfa": g.r.IntN(2) == 0},
			}
			if g.r.IntN(2) == 0 {
				att["geo"] = cities[g.r.IntN(len(cities))]
			}
			a.Attachments = []json.RawMessage{mustJSON(att)}
		}
	case kMemberAdd, kMemberRemove, kMemberUpdate:
		atWorkspace = true
		a.Targets = []Target{userTarget(other), wsTarget(ws)}
		switch spec.kind {
		case kMemberAdd:
			a.Summary = fmt.Sprintf("%s added the user '%s' to the workspace '%s'", who, other.DisplayName, ws.Name)
			if g.r.IntN(2) == 0 {
				a.Attachments = []json.RawMessage{mustJSON(map[string]any{"role": workspaceRoles[g.r.IntN(len(workspaceRoles))]})}
			}
		case kMemberRemove:
			a.Summary = fmt.Sprintf("%s removed the user '%s' from the workspace '%s'", who, other.DisplayName, ws.Name)
		default:
			o, nw := g.r.IntN(len(workspaceRoles)), g.r.IntN(len(workspaceRoles))
			a.Summary = fmt.Sprintf("%s changed the role of '%s' in the workspace '%s'", who, other.DisplayName, ws.Name)
			a.Attachments = []json.RawMessage{change("role", workspaceRoles[o], workspaceRoles[nw])}
		}
	case kWorkspaceCreate, kWorkspaceUpdate, kWorkspaceDelete:
		atWorkspace = true
		a.Targets = []Target{wsTarget(ws)}
		a.Summary = fmt.Sprintf("%s %s the workspace '%s'", who, spec.verb, ws.Name)
		if spec.kind == kWorkspaceUpdate {
			a.Attachments = []json.RawMessage{change("displayName", ws.Name+" (draft)", ws.Name)}
			if g.r.IntN(4) == 0 {
				a.Attachments = append(a.Attachments, mustJSON(map[string]any{"entityChanges": map[string]any{
					"propertyName": "solutions", "old": nil, "new": []map[string]any{{"id": "60", "name": "Connected Global Statutory Reporting (with Entity Management)"}},
				}}))
			}
		}
	case kRoleAssign, kRoleRemove:
		role := roles[g.r.IntN(len(roles))]
		a.Targets = []Target{userTarget(other), role}
		if g.r.IntN(3) == 0 {
			a.Targets = append(a.Targets, Target{ID: g.org.ID, Type: typeOrg, DisplayName: g.org.Name})
		}
		if spec.kind == kRoleAssign {
			a.Summary = fmt.Sprintf("%s assigned the role '%s' to '%s'", who, role.DisplayName, other.DisplayName)
		} else {
			a.Summary = fmt.Sprintf("%s removed the role '%s' from '%s'", who, role.DisplayName, other.DisplayName)
		}
		a.Attachments = []json.RawMessage{mustJSON(map[string]any{"role": map[string]any{"id": role.ID, "name": role.DisplayName}, "scope": "organization"})}
	case kOrgUser:
		a.Targets = []Target{userTarget(other)}
		a.Summary = fmt.Sprintf("%s %s the user '%s'", who, spec.verb, other.DisplayName)
		if spec.Alias == "org_user_update" {
			a.Attachments = []json.RawMessage{change("displayName", strings.ToUpper(other.DisplayName), other.DisplayName)}
		}
	case kGroup:
		grp := groups[g.r.IntN(len(groups))]
		a.Targets = []Target{grp}
		a.Summary = fmt.Sprintf("%s %s the group '%s'", who, spec.verb, grp.DisplayName)
	case kGroupMember:
		grp := groups[g.r.IntN(len(groups))]
		a.Targets = []Target{userTarget(other), grp}
		prep := "to"
		if spec.verb == "removed" {
			prep = "from"
		}
		a.Summary = fmt.Sprintf("%s %s the user '%s' %s the group '%s'", who, spec.verb, other.DisplayName, prep, grp.DisplayName)
	case kSecurity, kRetention:
		a.Targets = []Target{{ID: g.org.ID, Type: typeOrg, DisplayName: g.org.Name}}
		a.Summary = who + " " + spec.verb
		switch spec.Alias {
		case "session_timeout_update":
			a.Attachments = []json.RawMessage{change("sessionTimeoutMinutes", 60, 30)}
		case "retention_policy_update":
			a.Attachments = []json.RawMessage{change("retentionDays", 365, 2555)}
		case "ip_allowlist_update":
			a.Attachments = []json.RawMessage{mustJSON(map[string]any{"allowlist": map[string]any{"added": []string{"203.0.113.0/24"}, "removed": []string{}}})}
		case "mfa_policy_update", "two_factor_enable":
			a.Attachments = []json.RawMessage{mustJSON(map[string]any{"enabled": map[string]any{"new": true, "old": false}})}
		}
	case kAPIClient:
		c := apiClients[g.r.IntN(len(apiClients))]
		a.Targets = []Target{c}
		a.Summary = fmt.Sprintf("%s %s the OAuth client '%s'", who, spec.verb, c.DisplayName)
		a.Attachments = []json.RawMessage{mustJSON(map[string]any{"scopes": []string{"activity:read", "organization:read"}})}
	case kFile, kDocument:
		atWorkspace = true
		name := fileNames[g.r.IntN(len(fileNames))]
		f := Target{ID: g.hex(16), Type: typeFile, DisplayName: name}
		a.Targets = []Target{f}
		if g.r.IntN(3) == 0 {
			a.Targets = append(a.Targets, Target{ID: g.hex(16), Type: typeFolder, DisplayName: "Close " + at.Format("2006-01")})
		}
		noun := "file"
		if spec.kind == kDocument {
			noun = "document"
		}
		a.Summary = fmt.Sprintf("%s %s the %s '%s'", who, spec.verb, noun, name)
		if spec.Alias == "file_export" && g.r.IntN(2) == 0 {
			a.Attachments = []json.RawMessage{mustJSON(map[string]any{"export": map[string]any{"format": []string{"pdf", "xlsx", "docx"}[g.r.IntN(3)], "pages": 1 + g.r.IntN(120)}})}
		}
	}

	if atWorkspace {
		w := ws
		a.Workspace = &w
	} else {
		a.WorkspaceNull = g.r.IntN(2) == 0
	}
	switch x := g.r.IntN(100); {
	case x < 2 && a.Outcome == "success":
		a.Outcome = "failure"
	case x < 3 && a.Outcome == "success":
		a.Outcome = "pending"
	case x == 3 && a.Outcome == "success" && g.r.IntN(4) == 0:
		a.Outcome = "unknown"
	}
	if g.r.IntN(33) == 0 {
		a.UsesDescription = true
	}
	if g.r.IntN(10) == 0 {
		a.Tags = append(a.Tags, "source:"+[]string{"web", "api", "scim"}[g.r.IntN(3)])
	}
	return a
}
