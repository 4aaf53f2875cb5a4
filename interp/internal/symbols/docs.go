package symbols

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/json"
	"sync"
)

//go:embed docs.json.gz
var docsGz []byte

var (
	docsOnce sync.Once
	docs     map[string][2]string
)

// Doc returns the signature and doc comment of a symbol: key is an import
// path ("strings") for the package, "path.Name" for a function, type,
// variable or constant, and "path.Type.Method" for a method.
func Doc(key string) (signature, comment string, ok bool) {
	docsOnce.Do(loadDocs)
	d, ok := docs[key]
	return d[0], d[1], ok
}

func loadDocs() {
	docs = map[string][2]string{}
	zr, err := gzip.NewReader(bytes.NewReader(docsGz))
	if err != nil {
		return
	}
	var rows [][3]string
	if json.NewDecoder(zr).Decode(&rows) != nil {
		return
	}
	for _, r := range rows {
		docs[r[0]] = [2]string{r[1], r[2]}
	}
}
