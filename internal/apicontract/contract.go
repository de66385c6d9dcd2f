// Package apicontract checks HTTP exchanges against Workiva's OpenAPI
// document (testdata/activities-openapi.yaml) with kin-openapi's validator.
// Tests use it twice: on every request the client sends, and on every
// answer the emulator gives. It is not linked into the provider.
package apicontract

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"
)

//go:embed testdata/activities-openapi.yaml
var document []byte

// TokenOperation is the operationId of the token endpoint.
const TokenOperation = "tokenRequest"

// servicePrefix: the document lists paths without the service prefix they
// are served under; Workiva's reference pages give the full URLs
// (/iam/v1/oauth2/token, /admin/v1/activities/...).
func servicePrefix(path string) string {
	if path == "/oauth2/token" {
		return "/iam/v1"
	}
	return "/admin/v1"
}

// Contract is the document bound to one base URL (the emulator's).
type Contract struct {
	doc    *openapi3.T
	router routers.Router
	opts   *openapi3filter.Options
}

// New loads and validates the document and routes its paths under baseURL
// (scheme://host:port, no trailing slash).
func New(baseURL string) (*Contract, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(document)
	if err != nil {
		return nil, fmt.Errorf("apicontract: loading the document: %w", err)
	}
	if err := doc.Validate(loader.Context); err != nil {
		return nil, fmt.Errorf("apicontract: the document is invalid: %w", err)
	}
	for path, item := range doc.Paths.Map() {
		item.Servers = openapi3.Servers{{URL: baseURL + servicePrefix(path)}}
	}
	doc.Servers = nil
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apicontract: %w", err)
	}
	return &Contract{doc: doc, router: router, opts: &openapi3filter.Options{
		// A status the document does not list for the operation is a
		// contract violation, not "anything goes" (kin-openapi's default).
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc:    authenticate,
		// The document's only format kin-openapi does not check by default.
		SchemaValidationOptions: []openapi3.SchemaValidationOption{
			openapi3.DisableSchemaErrorDetails(), // the path and reason, not the whole schema
			openapi3.WithStringFormatValidator("uuid", openapi3.NewRegexpFormatValidator(openapi3.FormatOfStringForUUIDOfRFC9562)),
		},
	}}, nil
}

// Operations lists every operationId of the document, sorted.
func (c *Contract) Operations() []string {
	var ops []string
	for _, item := range c.doc.Paths.Map() {
		for _, op := range item.Operations() {
			ops = append(ops, op.OperationID)
		}
	}
	sort.Strings(ops)
	return ops
}

// authenticate checks the oauth scheme the document puts on every API
// operation: a bearer token must be sent.
func authenticate(_ context.Context, in *openapi3filter.AuthenticationInput) error {
	if in.SecurityScheme == nil || in.SecurityScheme.Type != "oauth2" {
		return fmt.Errorf("unexpected security scheme %q", in.SecuritySchemeName)
	}
	scheme, tok, _ := strings.Cut(in.RequestValidationInput.Request.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(tok) == "" {
		return errors.New("no bearer token in Authorization")
	}
	return nil
}

// Exchange is one request and its answer, bodies included.
type Exchange struct {
	Request      *http.Request // its Body is not read; RequestBody holds it
	RequestBody  []byte
	Status       int // 0: no answer (a network failure)
	Header       http.Header
	ResponseBody []byte
}

func (c *Contract) route(req *http.Request, body []byte) (*openapi3filter.RequestValidationInput, error) {
	r := req.Clone(req.Context())
	r.Body = io.NopCloser(bytes.NewReader(body))
	route, params, err := c.router.FindRoute(r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: no operation of the document: %w", req.Method, req.URL.EscapedPath(), err)
	}
	return &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: c.opts}, nil
}

// CheckRequest validates a request (with its body) and returns its
// operationId.
func (c *Contract) CheckRequest(req *http.Request, body []byte) (string, error) {
	in, err := c.route(req, body)
	if err != nil {
		return "", err
	}
	op := in.Route.Operation.OperationID
	var errs []error
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil {
		errs = append(errs, err)
	}
	// kin-openapi ignores query parameters the operation does not declare;
	// a client sending one relies on something the document does not give.
	var declared []string
	for _, p := range in.Route.Operation.Parameters {
		if p.Value != nil && p.Value.In == openapi3.ParameterInQuery {
			declared = append(declared, p.Value.Name)
		}
	}
	for name := range req.URL.Query() {
		if !slices.Contains(declared, name) {
			errs = append(errs, fmt.Errorf("query parameter %q is not declared (declared: %s)", name, strings.Join(declared, ", ")))
		}
	}
	if len(errs) > 0 {
		return op, fmt.Errorf("%s: request %s %s: %w", op, req.Method, req.URL.RequestURI(), errors.Join(errs...))
	}
	return op, nil
}

// CheckResponse validates an answer to req (whether or not req itself
// conforms) and returns req's operationId.
func (c *Contract) CheckResponse(req *http.Request, reqBody []byte, status int, header http.Header, body []byte) (string, error) {
	in, err := c.route(req, reqBody)
	if err != nil {
		return "", err
	}
	op := in.Route.Operation.OperationID
	out := &openapi3filter.ResponseValidationInput{RequestValidationInput: in, Status: status, Header: header, Options: c.opts}
	out.SetBodyBytes(body)
	if err := openapi3filter.ValidateResponse(context.Background(), out); err != nil {
		return op, fmt.Errorf("%s: answer %d to %s %s: %w", op, status, req.Method, req.URL.RequestURI(), err)
	}
	return op, nil
}

// Check validates both halves of ex (a request that got no answer only
// the first).
func (c *Contract) Check(ex Exchange) (string, error) {
	op, reqErr := c.CheckRequest(ex.Request, ex.RequestBody)
	if ex.Status == 0 {
		return op, reqErr
	}
	_, respErr := c.CheckResponse(ex.Request, ex.RequestBody, ex.Status, ex.Header, ex.ResponseBody)
	return op, errors.Join(reqErr, respErr)
}

// Recorder is an http.RoundTripper that records every exchange through
// Base, bodies included (each answer is read whole before it is handed on).
type Recorder struct {
	Base http.RoundTripper

	mu        sync.Mutex
	exchanges []Exchange
}

// RoundTrip implements http.RoundTripper.
func (r *Recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	var reqBody []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		req = req.Clone(req.Context())
		req.Body = io.NopCloser(bytes.NewReader(b))
	}
	ex := Exchange{Request: req.Clone(req.Context()), RequestBody: reqBody}
	resp, err := r.Base.RoundTrip(req)
	if err == nil {
		body, rerr := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(body))
		if rerr != nil {
			err, resp = rerr, nil
		} else {
			ex.Status, ex.Header, ex.ResponseBody = resp.StatusCode, resp.Header.Clone(), body
		}
	}
	r.mu.Lock()
	r.exchanges = append(r.exchanges, ex)
	r.mu.Unlock()
	return resp, err
}

// Exchanges returns what was recorded so far.
func (r *Recorder) Exchanges() []Exchange {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.exchanges)
}
