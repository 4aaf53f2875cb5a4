package mvh

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// The published trials (bethgelab/model-vs-human raw-data/ and the
// raw-data-extra/ models, 350 CSV files, 33 MB), shipped with the package so
// that the analyses run on a machine without the data or a network. See
// README.md for their provenance and licence.
//
//go:embed data/model-vs-human.tar.gz
var shippedArchive []byte

// ShippedArchiveName is the name under which errors refer to the embedded
// copy of the published data.
const ShippedArchiveName = "mvh/data/model-vs-human.tar.gz"

// LoadShipped returns the published trials embedded in the package: the
// toolbox's raw-data/ (90 participants, ResNet-50, BagNet-33,
// SimCLR-ResNet-50x1, six SWAG models) together with raw-data-extra/ (DINO,
// CLIP, three Stylized-ImageNet ResNet-50s, Noisy Student). Each call returns
// a fresh copy that the caller may extend with AddModel.
func LoadShipped() (*Data, error) {
	return loadArchive(bytes.NewReader(shippedArchive), int64(len(shippedArchive)), ShippedArchiveName)
}

// Load reads trial CSV files from path, which is one of
//   - a directory in the toolbox's layout: raw-data/<dataset>/*.csv, a folder
//     holding raw-data/ and raw-data-extra/, or a single <dataset>/ folder;
//   - a .tar.gz, .tgz or .zip archive of such a directory.
//
// A file's dataset is the name of the folder that holds it; files under
// performances/ (the toolbox's accuracy summaries) are skipped.
func Load(p string) (*Data, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("mvh: %w", err)
	}
	if st.IsDir() {
		return loadDir(p)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("mvh: %w", err)
	}
	defer f.Close()
	return loadArchive(f, st.Size(), p)
}

// csvFile is one trial file found in a directory or archive.
type csvFile struct {
	name    string // path shown in errors
	dataset string
	open    func() (io.ReadCloser, error)
}

// datasetOf returns the dataset a CSV at path p belongs to, or "" for files
// that are not trial files.
func datasetOf(p string) string {
	p = filepath.ToSlash(p)
	if !strings.HasSuffix(strings.ToLower(p), ".csv") {
		return ""
	}
	dir := path.Base(path.Dir(p))
	if dir == "performances" || dir == "." || dir == "/" {
		return ""
	}
	return dir
}

func loadDir(root string) (*Data, error) {
	var files []csvFile
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		ds := datasetOf(p)
		if ds == "" {
			return nil
		}
		p2 := p
		files = append(files, csvFile{name: p, dataset: ds, open: func() (io.ReadCloser, error) { return os.Open(p2) }})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("mvh: %w", err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("mvh: no trial CSV files under %s (want <dataset>/*.csv)", root)
	}
	return loadFiles(files)
}

func loadArchive(r io.ReaderAt, size int64, name string) (*Data, error) {
	lower := strings.ToLower(name)
	switch {
	case strings.HasSuffix(lower, ".zip"):
		return loadZip(r, size, name)
	case strings.HasSuffix(lower, ".tar.gz"), strings.HasSuffix(lower, ".tgz"):
		return loadTarGz(io.NewSectionReader(r, 0, size), name)
	}
	return nil, fmt.Errorf("mvh: %s: not a directory, .tar.gz, .tgz or .zip", name)
}

func loadZip(r io.ReaderAt, size int64, name string) (*Data, error) {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("mvh: %s: %w", name, err)
	}
	var files []csvFile
	for _, f := range zr.File {
		ds := datasetOf(f.Name)
		if ds == "" || f.FileInfo().IsDir() {
			continue
		}
		files = append(files, csvFile{name: name + ":" + f.Name, dataset: ds, open: f.Open})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("mvh: %s: no trial CSV files (want <dataset>/*.csv)", name)
	}
	return loadFiles(files)
}

// loadTarGz reads a gzip-compressed tar in one pass; a truncated archive is
// an error rather than a shorter data set.
func loadTarGz(r io.Reader, name string) (*Data, error) {
	gz, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("mvh: %s: %w", name, err)
	}
	defer gz.Close()
	tr := tar.NewReader(gz)
	var files []csvFile
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("mvh: %s: %w", name, err)
		}
		ds := datasetOf(h.Name)
		if ds == "" || h.Typeflag != tar.TypeReg {
			continue
		}
		content, err := io.ReadAll(tr)
		if err != nil {
			return nil, fmt.Errorf("mvh: %s: %s: %w", name, h.Name, err)
		}
		files = append(files, csvFile{name: name + ":" + h.Name, dataset: ds, open: func() (io.ReadCloser, error) {
			return io.NopCloser(bytes.NewReader(content)), nil
		}})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("mvh: %s: no trial CSV files (want <dataset>/*.csv)", name)
	}
	return loadFiles(files)
}

// loadFiles parses every file and files its trials under its dataset. The
// same subject in two files of one dataset is an error: the toolbox would
// silently pool them.
func loadFiles(files []csvFile) (*Data, error) {
	sort.Slice(files, func(i, j int) bool { return files[i].name < files[j].name })
	d := NewData()
	owner := map[[2]string]string{} // (dataset, subject) -> file
	for _, f := range files {
		rc, err := f.open()
		if err != nil {
			return nil, fmt.Errorf("mvh: %s: %w", f.name, err)
		}
		trials, lines, err := readTrials(rc, f.name)
		rc.Close()
		if err != nil {
			return nil, err
		}
		e, known := findExperiment(f.dataset)
		for i := range trials {
			t := &trials[i]
			if known {
				c, ok := canonicalCondition(e, t.Condition)
				if !ok {
					return nil, fmt.Errorf("mvh: %s:%d: condition %q is not one of %s's conditions %q", f.name, lines[i], t.Condition, f.dataset, e.conditions)
				}
				t.Condition = c
			}
			key := [2]string{f.dataset, t.Subject}
			if prev, ok := owner[key]; ok && prev != f.name {
				return nil, fmt.Errorf("mvh: %s:%d: subject %q of dataset %s already appears in %s", f.name, lines[i], t.Subject, f.dataset, prev)
			}
			owner[key] = f.name
		}
		d.add(f.dataset, trials)
	}
	return d, nil
}
