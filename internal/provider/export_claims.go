package provider

import (
	"fmt"
	"path/filepath"
	"sync"
)

// exportClaims catches two exports of one configuration writing to the
// same file. Terraform configures each provider instance once per command,
// so one set of claims covers every read of that command: a second export
// to a path, running at the same time or after the first, fails, and a
// first one still running fails too (at its commit), so that no sha256 in
// state describes a file another export replaced. The CLI names each
// failing data source; the message describes the other one's query.
type exportClaims struct {
	mu     sync.Mutex
	byPath map[string]*exportClaim
}

type exportClaim struct {
	desc     string // the claimant, for the other one's error
	conflict string // set when a later export claimed the same path
}

// canonicalPath is p with its directory resolved (symbolic links and
// relative parts), so that two spellings of one file are one claim.
func canonicalPath(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return filepath.Clean(p)
	}
	if dir, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(dir, filepath.Base(abs))
	}
	return abs
}

// claim registers desc as the writer of each of paths; it fails, naming the
// earlier writer, when one is already claimed, and marks that claim so its
// commit fails too.
func (c *exportClaims) claim(desc string, paths ...string) ([]*exportClaim, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byPath == nil {
		c.byPath = map[string]*exportClaim{}
	}
	keys := make([]string, len(paths))
	for i, p := range paths {
		keys[i] = canonicalPath(p)
		if prev := c.byPath[keys[i]]; prev != nil {
			prev.conflict = desc
			return nil, fmt.Errorf("another workiva_activities_export of this configuration (%s) writes %q too: "+
				"each export needs a path of its own, or one of the files would not match its sha256 in state", prev.desc, p)
		}
	}
	claims := make([]*exportClaim, len(paths))
	for i, k := range keys {
		claims[i] = &exportClaim{desc: desc}
		c.byPath[k] = claims[i]
	}
	return claims, nil
}

// conflicted reports a later claim on any of claims.
func (c *exportClaims) conflicted(claims []*exportClaim) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, cl := range claims {
		if cl.conflict != "" {
			return fmt.Errorf("another workiva_activities_export of this configuration (%s) was given the same path "+
				"while this one was being written: nothing was replaced; give each export a path of its own", cl.conflict)
		}
	}
	return nil
}
