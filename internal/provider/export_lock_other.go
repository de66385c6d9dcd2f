//go:build !unix

package provider

import "os"

// lockTemp: Windows refuses to delete a file another process has open,
// which protects a running export's temporary file from the sweep.
func lockTemp(*os.File) error { return nil }

func tempInUse(string) bool { return false }

// stickyRefuses: no sticky directories here.
func stickyRefuses(int, os.FileInfo, os.FileInfo) bool { return false }
