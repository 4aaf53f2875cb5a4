package kernels

import (
	"embed"
	"io/fs"
)

//go:embed gossl
var files embed.FS

// Gossl is the kernelspec directory: kernel.json (with {{GOSSL}} standing
// for the absolute path of the binary) and the logos.
var Gossl, _ = fs.Sub(files, "gossl")
