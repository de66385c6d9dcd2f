//go:build !linux

package provider

import (
	"errors"
	"os"
)

// openUnnamedTemp: only Linux has O_TMPFILE; elsewhere the export uses a
// named temporary file, swept when stale (sweepStaleTemps).
func openUnnamedTemp(string) (*os.File, bool, error) { return nil, false, nil }

func linkUnnamed(*os.File, string) error {
	return errors.New("unnamed temporary files are not supported here")
}
