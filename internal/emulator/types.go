package emulator

import (
	"encoding/json"
	"strconv"
	"time"
	"unicode/utf8"
)

// Activity is the emulator's own wire type for an activity. It is kept apart
// from the client's types on purpose: the emulator must not share decoding
// code with what it tests.
type Activity struct {
	ID               string
	Action           Action
	ActivityDateTime string    // exactly as sent (RFC 3339, UTC)
	At               time.Time // the same instant, parsed
	Summary          string
	// UsesDescription sends Summary under the older "description" key, as
	// some of Workiva's examples do.
	UsesDescription bool
	Outcome         string
	Performer       Performer
	Targets         []Target
	Organization    Organization
	Workspace       *Workspace
	// WorkspaceNull decides, when Workspace is nil, between "workspace": null
	// (true) and no "workspace" key at all (false). The API shows both.
	WorkspaceNull bool
	Tags          []string
	Attachments   []json.RawMessage // nil: no "attachments" key
}

// Action is an activity action (ActivityAction in the OpenAPI document).
type Action struct {
	ID         string `json:"id"`
	Type       string `json:"type,omitempty"` // some examples carry it, most don't
	Alias      string `json:"alias"`
	Name       string `json:"name"`
	Category   string `json:"category"`
	Deprecated bool   `json:"deprecated"`
}

// Performer is who or what performed an activity.
type Performer struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	DisplayName string `json:"displayName,omitempty"`
	UniqueName  string `json:"uniqueName,omitempty"`
	IPAddress   string `json:"ipAddress,omitempty"`
}

// Target is a resource an activity affected.
type Target struct {
	ID          string `json:"id"`
	Type        string `json:"type"`
	DisplayName string `json:"displayName,omitempty"`
	UniqueName  string `json:"uniqueName,omitempty"`
}

// Organization is the organization of an activity or of a workspace. Only
// ID and Name are always sent; the rest is sent when set.
type Organization struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Status   string `json:"status,omitempty"`
	Created  *Stamp `json:"created,omitempty"`
	Modified *Stamp `json:"modified,omitempty"`
}

// Workspace is the workspace of an activity. Only ID and Name are always
// sent; the rest is sent when set.
type Workspace struct {
	ID           string        `json:"id"`
	Name         string        `json:"name"`
	Created      *Stamp        `json:"created,omitempty"`
	Modified     *Stamp        `json:"modified,omitempty"`
	Organization *Organization `json:"organization,omitempty"`
	Solutions    []Solution    `json:"solutions,omitempty"`
}

// Stamp is when and by whom something was created or modified (Action in
// the OpenAPI document). A nil User is sent as "user": null.
type Stamp struct {
	DateTime string `json:"dateTime"`
	User     *User  `json:"user"`
}

// User is a user by ID (User in the OpenAPI document).
type User struct {
	ID string `json:"id"`
}

// Solution is a set of capabilities available to an organization.
type Solution struct {
	ID   string `json:"id"`
	Name string `json:"name,omitempty"`
}

// ErrorResponse is the API's error body.
type ErrorResponse struct {
	Code             string        `json:"code"`
	Message          string        `json:"message"`
	Target           string        `json:"target,omitempty"`
	Details          []ErrorDetail `json:"details,omitempty"`
	DocumentationURL string        `json:"documentationUrl,omitempty"`
	Version          string        `json:"version,omitempty"`
}

// ErrorDetail is one entry of ErrorResponse.Details.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target,omitempty"`
}

// IamError is the token endpoint's error body.
type IamError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description,omitempty"`
	ErrorURI         string `json:"error_uri,omitempty"`
}

// BearerToken is the token endpoint's answer.
type BearerToken struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
	Scope       string `json:"scope"`
	TokenType   string `json:"token_type"`
}

// MarshalJSON writes the activity in the API's shape. The emulator encodes
// each activity once, at start, by hand: reflection-based encoding of 100,000
// activities would dominate start-up.
func (a Activity) MarshalJSON() ([]byte, error) { return appendActivity(nil, &a), nil }

func appendActivity(b []byte, a *Activity) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, a.ID)
	b = append(b, `,"action":`...)
	b = appendAction(b, &a.Action)
	b = append(b, `,"activityDateTime":`...)
	b = appendString(b, a.ActivityDateTime)
	if a.UsesDescription {
		b = append(b, `,"description":`...)
	} else {
		b = append(b, `,"summary":`...)
	}
	b = appendString(b, a.Summary)
	if a.Outcome != "" {
		b = append(b, `,"outcome":`...)
		b = appendString(b, a.Outcome)
	}
	p := &a.Performer
	b = append(b, `,"performer":{"id":`...)
	b = appendString(b, p.ID)
	b = append(b, `,"type":`...)
	b = appendString(b, p.Type)
	b = appendOpt(b, `,"displayName":`, p.DisplayName)
	b = appendOpt(b, `,"uniqueName":`, p.UniqueName)
	b = appendOpt(b, `,"ipAddress":`, p.IPAddress)
	b = append(b, `},"targets":[`...)
	for i := range a.Targets {
		t := &a.Targets[i]
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"id":`...)
		b = appendString(b, t.ID)
		b = append(b, `,"type":`...)
		b = appendString(b, t.Type)
		b = appendOpt(b, `,"displayName":`, t.DisplayName)
		b = appendOpt(b, `,"uniqueName":`, t.UniqueName)
		b = append(b, '}')
	}
	b = append(b, `],"organization":`...)
	b = appendOrganization(b, &a.Organization)
	switch {
	case a.Workspace != nil:
		w := a.Workspace
		b = append(b, `,"workspace":{"id":`...)
		b = appendString(b, w.ID)
		b = append(b, `,"name":`...)
		b = appendString(b, w.Name)
		b = appendStamp(b, `,"created":`, w.Created)
		b = appendStamp(b, `,"modified":`, w.Modified)
		if w.Organization != nil {
			b = append(b, `,"organization":`...)
			b = appendOrganization(b, w.Organization)
		}
		if w.Solutions != nil {
			b = append(b, `,"solutions":[`...)
			for i, s := range w.Solutions {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, `{"id":`...)
				b = appendString(b, s.ID)
				b = appendOpt(b, `,"name":`, s.Name)
				b = append(b, '}')
			}
			b = append(b, ']')
		}
		b = append(b, '}')
	case a.WorkspaceNull:
		b = append(b, `,"workspace":null`...)
	}
	if len(a.Tags) > 0 {
		b = append(b, `,"tags":[`...)
		for i, t := range a.Tags {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendString(b, t)
		}
		b = append(b, ']')
	}
	if len(a.Attachments) > 0 {
		b = append(b, `,"attachments":[`...)
		for i, t := range a.Attachments {
			if i > 0 {
				b = append(b, ',')
			}
			if json.Valid(t) {
				b = append(b, t...)
			} else {
				b = append(b, "null"...)
			}
		}
		b = append(b, ']')
	}
	return append(b, '}')
}

func appendAction(b []byte, a *Action) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, a.ID)
	b = appendOpt(b, `,"type":`, a.Type)
	b = append(b, `,"alias":`...)
	b = appendString(b, a.Alias)
	b = append(b, `,"name":`...)
	b = appendString(b, a.Name)
	b = append(b, `,"category":`...)
	b = appendString(b, a.Category)
	b = append(b, `,"deprecated":`...)
	b = strconv.AppendBool(b, a.Deprecated)
	return append(b, '}')
}

func appendOrganization(b []byte, o *Organization) []byte {
	b = append(b, `{"id":`...)
	b = appendString(b, o.ID)
	b = append(b, `,"name":`...)
	b = appendString(b, o.Name)
	b = appendOpt(b, `,"status":`, o.Status)
	b = appendStamp(b, `,"created":`, o.Created)
	b = appendStamp(b, `,"modified":`, o.Modified)
	return append(b, '}')
}

// appendStamp writes key and s, nothing when s is nil.
func appendStamp(b []byte, key string, s *Stamp) []byte {
	if s == nil {
		return b
	}
	b = append(b, key...)
	b = append(b, `{"dateTime":`...)
	b = appendString(b, s.DateTime)
	if s.User == nil {
		b = append(b, `,"user":null`...)
	} else {
		b = append(b, `,"user":{"id":`...)
		b = appendString(b, s.User.ID)
		b = append(b, '}')
	}
	return append(b, '}')
}

func appendOpt(b []byte, key, v string) []byte {
	if v == "" {
		return b
	}
	return appendString(append(b, key...), v)
}

const hexDigits = "0123456789abcdef"

// appendString writes s as a JSON string. Like encoding/json it replaces
// invalid UTF-8 with U+FFFD; unlike it, it leaves '<', '>' and '&' alone.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		// U+2028 and U+2029 are valid JSON but break JavaScript; encode
		// them as encoding/json does.
		if r == '\u2028' || r == '\u2029' {
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
