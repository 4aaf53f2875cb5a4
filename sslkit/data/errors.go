package data

import "fmt"

// A FormatError reports a truncated or corrupt file: which file, where in it
// (bytes from its start; for a gzip file, bytes of the uncompressed stream)
// and what was wrong.
type FormatError struct {
	File   string
	Offset int64
	Msg    string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("data: %s: byte %d: %s", e.File, e.Offset, e.Msg)
}

func formatErr(file string, off int64, format string, args ...any) *FormatError {
	return &FormatError{File: file, Offset: off, Msg: fmt.Sprintf(format, args...)}
}
