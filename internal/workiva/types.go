package workiva

import "encoding/json"

// Activity is one entry of the Activities API. Optional strings that the API
// omits are left empty; the Terraform layer turns empty into null.
type Activity struct {
	ID               string          `json:"id"`
	ActivityDateTime string          `json:"activityDateTime"`
	Summary          string          `json:"summary"`
	Outcome          string          `json:"outcome"`
	Action           ActivityAction  `json:"action"`
	Performer        Performer       `json:"performer"`
	Targets          []Target        `json:"targets"`
	Organization     Organization    `json:"organization"`
	Workspace        *Workspace      `json:"workspace"`
	Tags             []string        `json:"tags"`
	Attachments      json.RawMessage `json:"attachments"`
	// Raw is the item's JSON as received, set only by a walk with
	// ActivityQuery.KeepRaw.
	Raw []byte `json:"-"`
}

// ActivityAction describes a kind of action that produces activities.
type ActivityAction struct {
	ID string `json:"id"`
	// Type is not in the document's ActivityAction schema, but its example
	// of a single activity carries it (the same value as ID there).
	Type       string `json:"type"`
	Alias      string `json:"alias"`
	Name       string `json:"name"`
	Category   string `json:"category"`
	Deprecated bool   `json:"deprecated"`
}

// Performer is who (or what) performed an activity.
type Performer struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	DisplayName string `json:"displayName"`
	UniqueName  string `json:"uniqueName"`
	IPAddress   string `json:"ipAddress"`
}

// Target is a resource an activity affected.
type Target struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	DisplayName string `json:"displayName"`
	UniqueName  string `json:"uniqueName"`
}

// Organization is the organization an activity (or a workspace) belongs to.
// Most answers carry only ID and Name; the schema declares the rest.
type Organization struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Status   string `json:"status"` // active or inactive
	Created  *Stamp `json:"created"`
	Modified *Stamp `json:"modified"`
}

// Workspace is the workspace an activity belongs to, when it has one.
type Workspace struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Created      *Stamp        `json:"created"`
	Modified     *Stamp        `json:"modified"`
	Organization *Organization `json:"organization"`
	// Solutions is nil when the API leaves it out or sends null.
	Solutions []Solution `json:"solutions"`
}

// Stamp is when something was created or modified and by whom: the
// document's Action schema (not an activity action).
type Stamp struct {
	DateTime string `json:"dateTime"`
	User     *User  `json:"user"`
}

// User is a user by ID only, as the document references them.
type User struct {
	ID string `json:"id"`
}

// Solution is a set of capabilities available to an organization.
type Solution struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}
