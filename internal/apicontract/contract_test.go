package apicontract

import (
	"net/http"
	"slices"
	"strings"
	"testing"
)

// The contract tests elsewhere only prove something if the checker rejects
// what the document does not allow: these cases show that it does.

const base = "http://127.0.0.1:1"

const orgID = "d6e178fd-4dd5-47e5-9457-68dd64b03655"

func mustContract(t *testing.T) *Contract {
	t.Helper()
	c, err := New(base)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func apiRequest(t *testing.T, path, auth string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	return req
}

func tokenRequest(t *testing.T, body string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, base+"/iam/v1/oauth2/token", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("id", "secret")
	return req
}

func TestOperations(t *testing.T) {
	want := []string{
		"getActivityActionById", "getActivityActions", "getActivityById",
		"getOrganizationActivities", "getOrganizationWorkspaceActivities", TokenOperation,
	}
	if got := mustContract(t).Operations(); !slices.Equal(got, want) {
		t.Errorf("operations %v, want %v", got, want)
	}
}

func TestRequests(t *testing.T) {
	c := mustContract(t)
	bearer := "Bearer tok"
	tests := []struct {
		name    string
		req     *http.Request
		body    string
		op      string
		wantErr string // "" = conforms
	}{
		{"token", tokenRequest(t, "grant_type=client_credentials&scope=activity%3Aread"), "grant_type=client_credentials&scope=activity%3Aread", TokenOperation, ""},
		{"token without grant_type", tokenRequest(t, "scope=x"), "scope=x", TokenOperation, "grant_type"},
		{"token with another grant", tokenRequest(t, "grant_type=password"), "grant_type=password", TokenOperation, "grant_type"},
		{"activity", apiRequest(t, "/admin/v1/activities/a%2Fb%2Bc%3D", bearer), "", "getActivityById", ""},
		{"no token", apiRequest(t, "/admin/v1/activities/x", ""), "", "getActivityById", "bearer"},
		{"list", apiRequest(t, "/admin/v1/organizations/"+orgID+"/activities?%24filter=x&%24maxpagesize=5&%24orderBy=y&%24next=z", bearer), "", "getOrganizationActivities", ""},
		{"page size 0", apiRequest(t, "/admin/v1/organizations/"+orgID+"/activities?%24maxpagesize=0", bearer), "", "getOrganizationActivities", "maxpagesize"},
		{"page size 1001", apiRequest(t, "/admin/v1/activityActions?%24maxpagesize=1001", bearer), "", "getActivityActions", "maxpagesize"},
		{"undeclared parameter", apiRequest(t, "/admin/v1/organizations/"+orgID+"/activities?%24top=5", bearer), "", "getOrganizationActivities", `"$top" is not declared`},
		{"filter on actions", apiRequest(t, "/admin/v1/activityActions?%24filter=x", bearer), "", "getActivityActions", `"$filter" is not declared`},
		{"organization not a UUID", apiRequest(t, "/admin/v1/organizations/acme/activities", bearer), "", "getOrganizationActivities", "organizationId"},
		{"workspace", apiRequest(t, "/admin/v1/organizations/"+orgID+"/workspaces/w%2F1/activities", bearer), "", "getOrganizationWorkspaceActivities", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			op, err := c.CheckRequest(tt.req, []byte(tt.body))
			if op != tt.op {
				t.Errorf("operation %q, want %q", op, tt.op)
			}
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
	if _, err := c.CheckRequest(apiRequest(t, "/v2/nothing", bearer), nil); err == nil {
		t.Error("a path outside the document was accepted")
	}
	if _, err := c.CheckRequest(apiRequest(t, "/iam/v1/activities/x", bearer), nil); err == nil {
		t.Error("an activity path under the IAM prefix was accepted")
	}
}

func TestResponses(t *testing.T) {
	c := mustContract(t)
	jsonHeader := http.Header{"Content-Type": {"application/json"}}
	activity := `{"id":"a","action":{"id":"x"},"performer":{"id":"p","type":"t"},"targets":[],"activityDateTime":"2026-01-01T00:00:00Z"}`
	act := apiRequest(t, "/admin/v1/activities/a", "Bearer t")
	tok := tokenRequest(t, "grant_type=client_credentials")
	tests := []struct {
		name    string
		req     *http.Request
		status  int
		header  http.Header
		body    string
		wantErr string
	}{
		{"activity", act, 200, jsonHeader, activity, ""},
		{"activity without id", act, 200, jsonHeader, strings.Replace(activity, `"id":"a",`, "", 1), "id"},
		{"bad date-time", act, 200, jsonHeader, strings.Replace(activity, "2026-01-01T00:00:00Z", "yesterday", 1), "date-time"},
		{"bad outcome", act, 200, jsonHeader, strings.Replace(activity, `"id":"a"`, `"id":"a","outcome":"meh"`, 1), "outcome"},
		{"not JSON", act, 200, http.Header{"Content-Type": {"text/plain"}}, activity, "text/plain"},
		{"404", act, 404, jsonHeader, `{"code":"404NotFound","message":"no"}`, ""},
		{"418", act, 418, jsonHeader, `{"code":"x"}`, "status is not supported"},
		{"token", tok, 200, jsonHeader, `{"access_token":"a","expires_in":60,"token_type":"Bearer","scope":"activity:read"}`, ""},
		{"token without scope", tok, 200, jsonHeader, `{"access_token":"a","expires_in":60,"token_type":"Bearer"}`, "scope"},
		{"token 401", tok, 401, jsonHeader, `{"error":"invalid_client"}`, ""},
		{"token 503", tok, 503, jsonHeader, `{"error":"server_error"}`, "status is not supported"},
		{"token 429", tok, 429, jsonHeader, `{"error":"server_error"}`, "status is not supported"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := c.CheckResponse(tt.req, nil, tt.status, tt.header, []byte(tt.body))
			switch {
			case tt.wantErr == "" && err != nil:
				t.Errorf("rejected: %v", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Errorf("got %v, want an error mentioning %q", err, tt.wantErr)
			}
		})
	}
}
