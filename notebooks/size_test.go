package notebooks

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

// maxTotalBytes bounds the stored notebooks together (issue 14): plots
// are paletted 2× PNGs of tens of kilobytes, and the embedding map keeps
// a bounded number of hover thumbnails.
const maxTotalBytes = 2_000_000

func TestStoredNotebooksTotalUnder2MB(t *testing.T) {
	paths, err := filepath.Glob("*.ipynb")
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) == 0 {
		t.Fatal("no notebooks found")
	}
	sizes := map[string]int64{}
	var total int64
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		sizes[p] = fi.Size()
		total += fi.Size()
	}
	if total <= maxTotalBytes {
		return
	}
	sort.Slice(paths, func(i, j int) bool { return sizes[paths[i]] > sizes[paths[j]] })
	for _, p := range paths {
		t.Logf("%8d  %s", sizes[p], p)
	}
	t.Errorf("the notebooks total %d bytes, more than %d: shrink the largest outputs (see display's PNG encoding)", total, maxTotalBytes)
}
