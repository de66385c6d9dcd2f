package workiva

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"golang.org/x/oauth2"
)

// tokenCache holds the client's one token. Concurrent callers that find no
// valid token share a single fetch (the first becomes the leader; the others
// wait on its channel or their own context).
type tokenCache struct {
	mu       sync.Mutex
	tok      *oauth2.Token
	inflight *tokenFetch
}

type tokenFetch struct {
	done chan struct{}
	tok  *oauth2.Token
	err  error
}

// token returns the bearer token to send: the pre-issued one, or the cached
// one, fetching a new one when there is none or it expired.
func (c *Client) token(ctx context.Context) (string, error) {
	if c.oauth == nil {
		return c.cfg.AccessToken, nil
	}
	for {
		tc := &c.tokens
		tc.mu.Lock()
		if tc.tok.Valid() {
			t := tc.tok.AccessToken
			tc.mu.Unlock()
			return t, nil
		}
		f := tc.inflight
		leader := f == nil
		if leader {
			f = &tokenFetch{done: make(chan struct{})}
			tc.inflight = f
		}
		tc.mu.Unlock()

		if leader {
			f.tok, f.err = c.fetchToken(ctx)
			tc.mu.Lock()
			if f.err == nil {
				tc.tok = f.tok
			}
			tc.inflight = nil
			tc.mu.Unlock()
			close(f.done)
			if f.err != nil {
				return "", f.err
			}
			return f.tok.AccessToken, nil
		}

		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-f.done:
		}
		if f.err == nil {
			return f.tok.AccessToken, nil
		}
		// The leader's own context ended its fetch: that says nothing about
		// ours, so try again (possibly as the new leader).
		if isContextErr(f.err) && ctx.Err() == nil {
			continue
		}
		return "", f.err
	}
}

// dropToken forgets tok after the API rejected it, unless another caller
// already replaced it.
func (c *Client) dropToken(tok string) {
	tc := &c.tokens
	tc.mu.Lock()
	if tc.tok != nil && tc.tok.AccessToken == tok {
		tc.tok = nil
	}
	tc.mu.Unlock()
}

// OpTokenRequest names the token request in errors and logs.
const OpTokenRequest = "token request"

// fetchToken asks the token endpoint for a token, with the same retry
// policy as API calls (see retrying): a blip at the token endpoint must not
// fail a run that a retry would save.
func (c *Client) fetchToken(ctx context.Context) (*oauth2.Token, error) {
	fields := map[string]any{"token_url": c.tokenURL}
	if len(c.oauth.Scopes) > 0 {
		fields["scopes"] = strings.Join(c.oauth.Scopes, " ")
	}
	c.log(ctx, LevelDebug, "workiva: requesting access token", fields)

	cl := &call{op: OpTokenRequest, method: http.MethodPost, path: pathOf(c.tokenURL)}
	tok, err := c.oauth.Token(context.WithValue(ctx, oauth2.HTTPClient, c.tokenClient(ctx, cl)))
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		te := c.tokenError(cl, err)
		c.log(ctx, LevelError, "workiva: token request failed", map[string]any{
			"token_url": c.tokenURL, "status": te.StatusCode, "attempts": te.Attempts, "error": te.Error(),
		})
		return nil, te
	}
	if tok.AccessToken == "" || !tok.Valid() {
		return nil, &TokenError{TokenURL: c.tokenURL, Attempts: cl.attempt, Err: errors.New("the token endpoint returned no usable access token")}
	}
	done := map[string]any{"token_url": c.tokenURL}
	if !tok.Expiry.IsZero() {
		done["expires_at"] = tok.Expiry.UTC().Format("2006-01-02T15:04:05Z")
	}
	c.log(ctx, LevelInfo, "workiva: access token obtained", done)
	return tok, nil
}

// tokenClient is the http.Client oauth2 builds and sends the token request
// through; the retrying round tripper replays its form body on every
// attempt. StandardClient's own client would follow redirects: it gets the
// package's policy, and its transport (tokenHTTP's) refuses them anyway.
func (c *Client) tokenClient(ctx context.Context, cl *call) *http.Client {
	hc := c.retrying(ctx, cl, c.tokenHTTP).StandardClient()
	hc.CheckRedirect = refuseRedirect
	return hc
}

// tokenError maps an oauth2 failure onto *TokenError, decoding IamError
// when oauth2 could not (e.g. JSON served without a JSON content type).
func (c *Client) tokenError(cl *call, err error) *TokenError {
	te := &TokenError{TokenURL: c.tokenURL, Attempts: max(cl.attempt, 1)}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		if re.Response != nil {
			te.StatusCode = re.Response.StatusCode
		}
		te.Transient = isRetryableStatus(te.StatusCode)
		te.Code, te.Description, te.URI = re.ErrorCode, re.ErrorDescription, re.ErrorURI
		if te.Code == "" {
			var ie struct {
				Error       string `json:"error"`
				Description string `json:"error_description"`
				URI         string `json:"error_uri"`
			}
			if json.Unmarshal(re.Body, &ie) == nil {
				te.Code, te.Description, te.URI = ie.Error, ie.Description, ie.URI
			}
		}
		te.Code = c.redact(te.Code)
		te.Description = c.redact(te.Description)
		te.URI = c.redact(te.URI)
		if te.Code == "" && te.Description == "" {
			te.Err = errors.New("no IamError in the response")
		}
		return te
	}
	var rae *RetryAfterError
	if errors.As(err, &rae) {
		rae.Attempts = te.Attempts
		te.Err, te.Transient = rae, true
		return te
	}
	var rde *RedirectError
	if errors.As(err, &rde) {
		rde.Operation, rde.Setting = OpTokenRequest, "token_url"
		te.Err = rde
		return te
	}
	// Transport failures: keep the message, never the secret.
	te.Transient = true
	if isTimeout(err) {
		te.Err = &TimeoutError{Operation: OpTokenRequest, Method: http.MethodPost, Path: cl.path, Timeout: c.cfg.RequestTimeout, Attempts: te.Attempts, Err: err}
		return te
	}
	te.Err = errors.New(c.redact(netCause(err).Error()))
	return te
}

// netCause strips the *url.Error layers (each repeating method and URL)
// that the oauth2 package and the retrying round tripper wrap around a
// network failure.
func netCause(err error) error {
	for {
		var ue *url.Error
		if !errors.As(err, &ue) || ue.Err == nil {
			return err
		}
		err = ue.Err
	}
}

// redact removes the client secret and the current access token from s: a
// server echoing them back must not leak them into errors or logs.
func (c *Client) redact(s string) string {
	if s == "" {
		return s
	}
	if sec := c.cfg.ClientSecret; sec != "" {
		s = strings.ReplaceAll(s, sec, "[redacted]")
		// The Basic credentials as sent (RFC 6749 2.3.1 form-encodes both).
		basic := base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(c.cfg.ClientID) + ":" + url.QueryEscape(sec)))
		s = strings.ReplaceAll(s, basic, "[redacted]")
	}
	if at := c.cfg.AccessToken; at != "" && strings.Contains(s, at) {
		s = strings.ReplaceAll(s, at, "[redacted]")
	}
	c.tokens.mu.Lock()
	tok := c.tokens.tok
	c.tokens.mu.Unlock()
	if tok != nil && tok.AccessToken != "" && strings.Contains(s, tok.AccessToken) {
		s = strings.ReplaceAll(s, tok.AccessToken, "[redacted]")
	}
	return s
}
