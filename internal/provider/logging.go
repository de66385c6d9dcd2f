package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/workiva/terraform-provider-workiva/internal/workiva"
)

// secretFieldKeys are log field names whose values are always masked,
// whatever they hold.
var secretFieldKeys = []string{"client_secret", "access_token", "authorization", "Authorization", "secret", "password"}

// maskSecrets returns ctx with tflog masking of the known secret values (in
// messages and field values) and of fields that by name hold secrets.
func maskSecrets(ctx context.Context, secrets []string) context.Context {
	ctx = tflog.MaskFieldValuesWithFieldKeys(ctx, secretFieldKeys...)
	if len(secrets) > 0 {
		ctx = tflog.MaskAllFieldValuesStrings(ctx, secrets...)
		ctx = tflog.MaskMessageStrings(ctx, secrets...)
	}
	return ctx
}

// tflogLogger routes the client's log entries to tflog. The client already
// keeps secrets out of its entries; the masking here catches the configured
// secret and token should one ever slip through.
type tflogLogger struct {
	secrets []string
}

var _ workiva.Logger = tflogLogger{}

func (l tflogLogger) Log(ctx context.Context, level workiva.LogLevel, msg string, fields map[string]any) {
	ctx = maskSecrets(ctx, l.secrets)
	switch level {
	case workiva.LevelTrace:
		tflog.Trace(ctx, msg, fields)
	case workiva.LevelDebug:
		tflog.Debug(ctx, msg, fields)
	case workiva.LevelInfo:
		tflog.Info(ctx, msg, fields)
	case workiva.LevelWarn:
		tflog.Warn(ctx, msg, fields)
	default:
		tflog.Error(ctx, msg, fields)
	}
}
