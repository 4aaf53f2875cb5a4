package interp

import (
	"runtime"
	"strings"
)

// LanguageInfo describes the language a Session runs, as a frontend needs
// it to highlight cells and export a notebook as a script (the kernel's
// language_info).
type LanguageInfo struct {
	Name              string
	Version           string
	MIMEType          string
	FileExtension     string
	PygmentsLexer     string
	CodeMirrorMode    string
	NbconvertExporter string
}

// Language is what every Session runs: Go, at the version of the toolchain
// that built the program (cells behave like that Go, not like the Go 1.22
// of yaegi's own symbols). It needs no Session, so a kernel can answer
// before its session has started.
func Language() LanguageInfo {
	return LanguageInfo{
		Name:              "go",
		Version:           strings.TrimPrefix(runtime.Version(), "go"),
		MIMEType:          "text/x-go",
		FileExtension:     ".go",
		PygmentsLexer:     "go",
		CodeMirrorMode:    "go",
		NbconvertExporter: "script",
	}
}
