package workiva

// ErrorDetail is one entry of ErrorResponse.details.
type ErrorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Target  string `json:"target"`
}

// APIError is a non-2xx answer of the API, decoded from Workiva's ErrorResponse.
type APIError struct {
	Operation  string // e.g. "list organization activities"
	StatusCode int
	Method     string
	Path       string // URL path only: never a query or a token
	Code       string
	Message    string
	Target     string
	Details    []ErrorDetail
	DocURL     string
	Attempts   int // attempts made, when retries were exhausted
}

// TokenError is a failed token request, decoded from Workiva's IamError.
type TokenError struct {
	StatusCode  int
	Code        string // IamError.error
	Description string // IamError.error_description
	URI         string
}
