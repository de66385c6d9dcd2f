package provider

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// actionCatalog is the action list, walked at most once per provider
// instance (per Terraform run) and then served from memory. A failed walk
// is not remembered, so a later lookup tries again. The mutex makes
// concurrent lookups wait for the one walk in progress instead of starting
// their own.
type actionCatalog struct {
	client   *workiva.Client
	pageSize int

	mu      sync.Mutex
	loaded  bool
	actions []workiva.ActivityAction
	byAlias map[string]int
	byID    map[string]int
}

func (c *actionCatalog) load(ctx context.Context) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.loaded {
		return nil
	}
	var list []workiva.ActivityAction
	err := c.client.ListActivityActions(ctx, workiva.ActionListOptions{PageSize: c.pageSize}, func(a *workiva.ActivityAction) error {
		list = append(list, *a)
		return nil
	})
	if err != nil {
		return err
	}
	byAlias := make(map[string]int, len(list))
	byID := make(map[string]int, len(list))
	for i := range list {
		if _, dup := byAlias[list[i].Alias]; !dup { // first one wins, in API order
			byAlias[list[i].Alias] = i
		}
		if _, dup := byID[list[i].ID]; !dup {
			byID[list[i].ID] = i
		}
	}
	c.actions, c.byAlias, c.byID, c.loaded = list, byAlias, byID, true
	return nil
}

// all returns every action in API order. The slice is shared: read only.
func (c *actionCatalog) all(ctx context.Context) ([]workiva.ActivityAction, error) {
	if err := c.load(ctx); err != nil {
		return nil, err
	}
	return c.actions, nil
}

// lookupAlias returns the action with that alias, and whether it exists.
func (c *actionCatalog) lookupAlias(ctx context.Context, alias string) (workiva.ActivityAction, bool, error) {
	if err := c.load(ctx); err != nil {
		return workiva.ActivityAction{}, false, err
	}
	i, ok := c.byAlias[alias]
	if !ok {
		return workiva.ActivityAction{}, false, nil
	}
	return c.actions[i], true, nil
}

// count is the number of actions walked (for error messages).
func (c *actionCatalog) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.actions)
}

// Attributes of the activity list data sources that checkActions reports on.
const (
	attrActionAliases       = "action_aliases"
	attrActionIDs           = "action_ids"
	attrAllowUnknownActions = "allow_unknown_actions"
)

// allowUnknownActionsDescription documents the opt-out attribute once for
// every data source that filters on actions.
const allowUnknownActionsDescription = "When true, an alias in `action_aliases` or an ID in `action_ids` that is not in " +
	"Workiva's action catalogue is a warning instead of an error, and the read goes on (it matches only activities " +
	"that still carry that action). For actions Workiva no longer lists. Default: `false`: a typo would otherwise " +
	"match nothing and let a policy check pass."

// checkActions verifies that every alias and ID names an action of the
// catalogue (deprecated actions included): a misspelt alias matches no
// activity, and a policy check built on it would pass by mistake. Unknown
// values are errors naming them and the closest known ones, or warnings when
// allowUnknown is set. The catalogue is walked only when there is something
// to check. A catalogue that cannot be read fails the check unless
// allowUnknown is set (then it is skipped with a warning).
func checkActions(ctx context.Context, cat *actionCatalog, dataSource string, aliases, ids []string, allowUnknown bool) diag.Diagnostics {
	var diags diag.Diagnostics
	if len(aliases) == 0 && len(ids) == 0 {
		return diags
	}
	if err := cat.load(ctx); err != nil {
		if allowUnknown {
			diags.AddWarning(dataSource+": action catalogue not checked",
				"Reading the action catalogue failed, so action_aliases and action_ids were not checked "+
					"(allow_unknown_actions = true):\n"+describeError(err))
			return diags
		}
		addReadError(&diags, path.Empty(), dataSource, "listing activity actions",
			"The action catalogue is read to check action_aliases and action_ids before any activity is read. "+
				"Set allow_unknown_actions = true to skip the check when the catalogue cannot be read.", err)
		return diags
	}
	report := func(attr, kind, value string, known []string, hint string) {
		msg := fmt.Sprintf("%s %q in %s is not among the %d actions Workiva lists (deprecated ones included), "+
			"so it would match no activity.", kind, value, attr, len(cat.actions))
		msg += suggest(value, known) + " " + hint
		if allowUnknown {
			diags.AddAttributeWarning(path.Root(attr), dataSource+": unknown "+strings.ToLower(kind), msg+
				"\nThe read goes on because allow_unknown_actions = true.")
			return
		}
		diags.AddAttributeError(path.Root(attr), dataSource+": unknown "+strings.ToLower(kind), msg+
			"\nIf Workiva no longer lists an action that older activities still carry, set allow_unknown_actions = true.")
	}
	// Aliases and IDs are checked alike; only the index and the advice differ.
	for _, c := range []struct {
		attr, kind, hint string
		values           []string
		index            map[string]int
	}{
		{attrActionAliases, "Action alias", "Aliases are case-sensitive; the workiva_activity_actions data source lists them all.", aliases, cat.byAlias},
		{attrActionIDs, "Action ID", "Prefer action_aliases: Workiva documents the alias as the stable key.", ids, cat.byID},
	} {
		var known []string // built once, on the first unknown value
		for _, v := range c.values {
			if _, ok := c.index[v]; ok {
				continue
			}
			if known == nil {
				known = mapKeys(c.index)
			}
			report(c.attr, c.kind, v, known, c.hint)
		}
	}
	return diags
}

// didYouMean suggests the known aliases closest to alias (after a load),
// or returns "".
func (c *actionCatalog) didYouMean(alias string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return suggest(alias, mapKeys(c.byAlias))
}

// suggest renders ` Did you mean "a", "b"?` for the (up to three) known
// values closest to value, or "" when none is close.
func suggest(value string, known []string) string {
	near := closest(value, known, 3)
	if len(near) == 0 {
		return ""
	}
	quoted := make([]string, len(near))
	for i, n := range near {
		quoted[i] = fmt.Sprintf("%q", n)
	}
	return " Did you mean " + strings.Join(quoted, ", ") + "?"
}

func mapKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "" {
			keys = append(keys, k)
		}
	}
	return keys
}

// closest returns up to n of known nearest to s by edit distance, nearest
// first (ties by name), leaving out those too far to be a plausible typo.
func closest(s string, known []string, n int) []string {
	type cand struct {
		v string
		d int
	}
	limit := max(2, len(s)/2)
	var cands []cand
	for _, k := range known {
		if d := editDistance(s, k); d <= limit {
			cands = append(cands, cand{k, d})
		}
	}
	slices.SortFunc(cands, func(a, b cand) int {
		return cmp.Or(cmp.Compare(a.d, b.d), strings.Compare(a.v, b.v))
	})
	out := make([]string, 0, n)
	for i := 0; i < len(cands) && i < n; i++ {
		out = append(out, cands[i].v)
	}
	return out
}

// editDistance is the Levenshtein distance between a and b, in bytes
// (aliases and IDs are ASCII).
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
