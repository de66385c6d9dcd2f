package workiva

import (
	"context"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"unsafe"

	"github.com/hashicorp/go-retryablehttp"
)

// These tests keep every path by which the package sends a request behind
// the redirect refusal, so that a future code path cannot regress: the
// source is scanned for every way of making or obtaining an HTTP client,
// and every client a Client holds is checked at run time.

// TestEveryClientRefusesRedirects scans the package's source. Allowed:
// http.Client values built only by newHTTPClient, StandardClient only in
// tokenClient, oauth2 token requests only in fetchToken and only with an
// explicit client. Forbidden: every library default client or transport
// (they follow redirects) and every helper that builds one.
func TestEveryClientRefusesRedirects(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	// Selectors that give a client or transport other than the package's.
	forbidden := map[string]bool{
		"http.DefaultClient": true, "http.DefaultTransport": true,
		"http.Get": true, "http.Head": true, "http.Post": true, "http.PostForm": true,
		"cleanhttp.DefaultClient": true, "cleanhttp.DefaultPooledClient": true,
		"retryablehttp.NewClient": true, "retryablehttp.Get": true, "retryablehttp.Head": true,
		"retryablehttp.Post": true, "retryablehttp.PostForm": true,
		"oauth2.NewClient": true,
	}
	// Methods that send through, or return, a client of their own:
	// method name -> the only function allowed to call it.
	allowedIn := map[string]string{
		"StandardClient": "tokenClient", // then given refuseRedirect
		"Token":          "fetchToken",  // with oauth2.HTTPClient in the context
		"TokenSource":    "",            // would use http.DefaultClient
		"Client":         "",
		"Exchange":       "",
	}
	sawClientLit, sawStandardClient, scanned := false, false, 0
	fset := token.NewFileSet()
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		scanned++
		for _, decl := range f.Decls {
			fn := ""
			if fd, ok := decl.(*ast.FuncDecl); ok {
				fn = fd.Name.Name
			}
			ast.Inspect(decl, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					if sel := selectorName(n.Type); sel == "http.Client" || sel == "retryablehttp.Client" || sel == "retryablehttp.RoundTripper" {
						if sel == "http.Client" {
							sawClientLit = true
						}
						ok := (sel == "http.Client" && fn == "newHTTPClient") || (sel == "retryablehttp.Client" && fn == "retrying")
						if !ok {
							t.Errorf("%s: %s built in %s: build http.Clients with newHTTPClient, which refuses redirects", fset.Position(n.Pos()), sel, fn)
						}
					}
				case *ast.SelectorExpr:
					if sel := selectorName(n); forbidden[sel] {
						t.Errorf("%s: %s follows redirects; use the Client's own http.Clients", fset.Position(n.Pos()), sel)
					}
				case *ast.CallExpr:
					sel, ok := n.Fun.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					want, listed := allowedIn[sel.Sel.Name]
					if !listed {
						return true
					}
					if fn != want || want == "" {
						t.Errorf("%s: %s called in %s: it may send through a client that follows redirects", fset.Position(n.Pos()), sel.Sel.Name, fn)
					}
					if sel.Sel.Name == "StandardClient" {
						sawStandardClient = true
					}
					if sel.Sel.Name == "Token" && !strings.Contains(string(src[fset.Position(n.Pos()).Offset:fset.Position(n.End()).Offset]), "oauth2.HTTPClient") {
						t.Errorf("%s: Token called without oauth2.HTTPClient in its context: oauth2 would use http.DefaultClient", fset.Position(n.Pos()))
					}
				}
				return true
			})
		}
	}
	// The scan must have found what it guards, or it checks nothing.
	if scanned == 0 || !sawClientLit || !sawStandardClient {
		t.Fatalf("scan found %d files, http.Client literal %v, StandardClient %v", scanned, sawClientLit, sawStandardClient)
	}
}

func selectorName(e ast.Expr) string {
	sel, ok := e.(*ast.SelectorExpr)
	if !ok {
		return ""
	}
	if id, ok := sel.X.(*ast.Ident); ok {
		return id.Name + "." + sel.Sel.Name
	}
	return ""
}

// TestClientsHoldOnlyRefusingClients checks, for every way New can be
// configured, every *http.Client field of the Client (found by reflection,
// so a new field is covered) and the token request's client.
func TestClientsHoldOnlyRefusingClients(t *testing.T) {
	following := &http.Client{} // the caller's policy must not be inherited
	configs := map[string]Config{
		"client credentials": {APIURL: "http://127.0.0.1:1", ClientID: "id", ClientSecret: "secret"},
		"access token":       {APIURL: "http://127.0.0.1:1", AccessToken: "tok"},
		"caller's client":    {APIURL: "http://127.0.0.1:1", ClientID: "id", ClientSecret: "secret", HTTPClient: following},
		"caller's transport": {APIURL: "http://127.0.0.1:1", ClientID: "id", ClientSecret: "secret", HTTPClient: &http.Client{Transport: http.DefaultTransport}},
	}
	policy := reflect.ValueOf(refuseRedirect).Pointer()
	var check func(t *testing.T, what string, hc *http.Client)
	check = func(t *testing.T, what string, hc *http.Client) {
		t.Helper()
		if hc == nil {
			return
		}
		if hc.CheckRedirect == nil || reflect.ValueOf(hc.CheckRedirect).Pointer() != policy {
			t.Errorf("%s: CheckRedirect is not refuseRedirect", what)
		}
		switch tr := hc.Transport.(type) {
		case refuseRedirects:
		case *retryablehttp.RoundTripper:
			check(t, what+" (retrying)", tr.Client.HTTPClient)
		default:
			t.Errorf("%s: transport %T does not refuse redirects", what, tr)
		}
	}
	for name, cfg := range configs {
		t.Run(name, func(t *testing.T) {
			c := mustNew(t, cfg)
			v := reflect.ValueOf(c).Elem()
			found := 0
			for i := range v.NumField() {
				f := v.Field(i)
				if f.Type() != reflect.TypeFor[*http.Client]() {
					continue
				}
				found++
				hc := reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface().(*http.Client)
				check(t, v.Type().Field(i).Name, hc)
			}
			if found < 2 {
				t.Errorf("found %d *http.Client fields, want the API's and the token endpoint's", found)
			}
			check(t, "tokenClient", c.tokenClient(context.Background(), &call{}))
		})
	}
}

// TestRedirectPolicyAlone: should a client ever reach a 3xx (another
// transport), its policy still refuses it, and the target gets nothing.
func TestRedirectPolicyAlone(t *testing.T) {
	th := newThief(t)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, th.srv.URL+"/steal", http.StatusTemporaryRedirect)
	}))
	defer srv.Close()
	hc := &http.Client{CheckRedirect: refuseRedirect}
	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/admin/v1/activities/x", nil)
	req.Header.Set("Authorization", "Bearer secret-token")
	resp, err := hc.Do(req)
	if resp != nil {
		_ = resp.Body.Close()
	}
	var re *RedirectError
	if !errors.As(err, &re) || re.StatusCode != http.StatusTemporaryRedirect || re.Path != "/admin/v1/activities/x" {
		t.Errorf("got %v", err)
	}
	if th.hits.Load() != 0 {
		t.Errorf("the redirect target received %d requests", th.hits.Load())
	}
}
