package workiva

import (
	"context"
	"errors"
)

// The method set below is the contract the provider codes against. The
// client helper replaces these bodies; the signatures stay.

var errNotImplemented = errors.New("not implemented yet")

// Client talks to one Workiva API host. Safe for concurrent use.
type Client struct {
	cfg Config
}

// New validates cfg and returns a client. It makes no network call: the
// token is fetched on the first API call.
func New(cfg Config) (*Client, error) { return &Client{cfg: cfg}, errNotImplemented }

// GetActivity fetches one activity by ID (base64; escaped into the path).
func (c *Client) GetActivity(ctx context.Context, id string) (*Activity, error) {
	return nil, errNotImplemented
}

// GetActivityAction fetches one activity action by ID.
func (c *Client) GetActivityAction(ctx context.Context, id string) (*ActivityAction, error) {
	return nil, errNotImplemented
}

// ListActivityActions walks every page of the action catalogue, calling fn
// per action in API order. fn may return ErrStop to end early.
func (c *Client) ListActivityActions(ctx context.Context, opts ActionListOptions, fn func(*ActivityAction) error) error {
	return errNotImplemented
}

// ListActivities walks the activities matching q, calling fn per activity as
// pages stream in. fn may return ErrStop to end early. The *Activity passed
// to fn is the caller's to keep.
func (c *Client) ListActivities(ctx context.Context, q ActivityQuery, fn func(*Activity) error) (ListResult, error) {
	return ListResult{}, errNotImplemented
}

// BuildFilter renders the $filter expression for q ("" when q has no filter).
func BuildFilter(q ActivityQuery) string { return "" }
