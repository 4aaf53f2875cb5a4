package mvh

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const hpHeader = "subj,session,trial,rt,object_response,category,condition,imagename\n"

// tiny layout: two participants and a model on high-pass, written with the
// raw values the published files use ("1" and "3" for 1.0 and 3.0).
var tinyFiles = map[string]string{
	"raw-data/high-pass/high-pass_subject-01_session_1.csv": hpHeader +
		"subject-01,1,1,0.5,dog,dog,1,0001_hp_s01_1_dog_n02085620_1.png\n" +
		"subject-01,1,2,0.5,cat,dog,inf,0002_hp_s01_inf_dog_n02085620_2.png\n",
	"raw-data/high-pass/high-pass_subject-02_session_1.csv": hpHeader +
		"subject-02,1,1,0.5,dog,dog,inf,0001_hp_s02_inf_dog_n02085620_2.png\n" +
		"subject-02,1,2,0.5,dog,dog,1,0002_hp_s02_1_dog_n02085620_1.png\n",
	"raw-data-extra/high-pass/high-pass_mynet_session-1.csv": hpHeader +
		"mynet,1,1,NaN,cat,dog,1,0001_hp_dnn_1_dog_n02085620_1.png\n" +
		"mynet,1,2,NaN,dog,dog,inf,0002_hp_dnn_inf_dog_n02085620_2.png\n",
	"raw-data/performances/mynet.csv": "subj,dataset_name,metric_name,performance\n",
	"raw-data/SOURCE.md":              "not a csv",
}

func checkTiny(t *testing.T, d *Data) {
	t.Helper()
	ds, err := d.Dataset("high-pass")
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ds.Subjects(), ","); got != "mynet,subject-01,subject-02" {
		t.Fatalf("subjects %s", got)
	}
	if n := len(ds.Trials("subject-01", "1.0")); n != 1 {
		t.Fatalf("condition \"1\" not read as the toolbox's \"1.0\": %d trials", n)
	}
	acc, err := d.ConditionAccuracy("high-pass", HumansName)
	if err != nil {
		t.Fatal(err)
	}
	if len(acc) != 2 || acc[0].Condition != "inf" || acc[0].Value != 0.5 || acc[1].Condition != "1.0" || acc[1].Value != 1 {
		t.Fatalf("human accuracy %+v", acc)
	}
}

func TestLoadDirectoryLayouts(t *testing.T) {
	root := t.TempDir()
	for name, body := range tinyFiles {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := Load(root)
	if err != nil {
		t.Fatal(err)
	}
	checkTiny(t, d)
	// A single dataset folder works too.
	d, err = Load(filepath.Join(root, "raw-data", "high-pass"))
	if err != nil {
		t.Fatal(err)
	}
	if ds, _ := d.Dataset("high-pass"); ds == nil || len(ds.Humans()) != 2 {
		t.Fatal("dataset folder not loaded")
	}
}

func TestLoadArchives(t *testing.T) {
	var zbuf bytes.Buffer
	zw := zip.NewWriter(&zbuf)
	var tbuf bytes.Buffer
	gz := gzip.NewWriter(&tbuf)
	tw := tar.NewWriter(gz)
	for name, body := range tinyFiles {
		w, _ := zw.Create(name)
		w.Write([]byte(body))
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o644, Size: int64(len(body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(body))
	}
	zw.Close()
	tw.Close()
	gz.Close()
	dir := t.TempDir()
	for name, b := range map[string][]byte{"d.zip": zbuf.Bytes(), "d.tar.gz": tbuf.Bytes()} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		d, err := Load(p)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		checkTiny(t, d)
	}
	// A truncated archive is an error, not a smaller data set.
	p := filepath.Join(dir, "cut.tar.gz")
	os.WriteFile(p, tbuf.Bytes()[:tbuf.Len()/2], 0o644)
	if _, err := Load(p); err == nil {
		t.Fatal("truncated archive loaded without error")
	}
}

func TestLoadErrorsNameFileAndLine(t *testing.T) {
	write := func(files map[string]string) string {
		root := t.TempDir()
		for name, body := range files {
			p := filepath.Join(root, name)
			os.MkdirAll(filepath.Dir(p), 0o755)
			os.WriteFile(p, []byte(body), 0o644)
		}
		return root
	}
	root := write(map[string]string{"high-pass/a.csv": hpHeader +
		"subject-01,1,1,0.5,dog,dog,1,x_1.png\n" +
		"subject-01,1,2,0.5,dog,dog,2.5,x_2.png\n"})
	_, err := Load(root)
	if err == nil || !strings.Contains(err.Error(), "a.csv:3: condition \"2.5\"") {
		t.Fatalf("unknown condition: %v", err)
	}
	root = write(map[string]string{
		"edge/a.csv": hpHeader + "subject-01,1,1,0.5,dog,dog,0,x_1.png\n",
		"edge/b.csv": hpHeader + "subject-01,1,1,0.5,dog,dog,0,x_2.png\n",
	})
	_, err = Load(root)
	if err == nil || !strings.Contains(err.Error(), "b.csv:2: subject \"subject-01\" of dataset edge already appears in") {
		t.Fatalf("duplicate subject: %v", err)
	}
	root = write(map[string]string{"edge/a.csv": hpHeader + "subject-01,1,1,0.5,dog,dog,0\n"})
	_, err = Load(root)
	if err == nil || !strings.Contains(err.Error(), "a.csv:2: wrong number of fields") {
		t.Fatalf("partial line: %v", err)
	}
	if _, err := Load(t.TempDir()); err == nil {
		t.Fatal("empty directory loaded")
	}
	if _, err := Load(filepath.Join(t.TempDir(), "missing")); err == nil {
		t.Fatal("missing path loaded")
	}
}

// The shared copy of the published data (raw-data/ and raw-data-extra/ as
// directories) loads to the same trials as the shipped archive.
func TestLoadDirectoryEqualsShipped(t *testing.T) {
	const shared = "/work/shared/data/model-vs-human"
	if _, err := os.Stat(shared); err != nil {
		t.Skip("no shared copy of the data on this machine")
	}
	d, err := Load(shared)
	if err != nil {
		t.Fatal(err)
	}
	s := shippedData(t)
	if strings.Join(d.Datasets(), ",") != strings.Join(s.Datasets(), ",") || d.NumTrials(false) != s.NumTrials(false) {
		t.Fatalf("directory: %d trials on %q; shipped: %d on %q", d.NumTrials(false), d.Datasets(), s.NumTrials(false), s.Datasets())
	}
	for _, name := range d.Datasets() {
		a, _ := d.Dataset(name)
		b, _ := s.Dataset(name)
		for _, subj := range b.Subjects() {
			ta, tb := a.Trials(subj, ""), b.Trials(subj, "")
			if len(ta) != len(tb) {
				t.Fatalf("%s %s: %d trials from the directory, %d shipped", name, subj, len(ta), len(tb))
			}
			for i := range ta {
				x, y := ta[i], tb[i]
				if x.ImageName != y.ImageName || x.Response != y.Response || x.Condition != y.Condition || x.Number != y.Number {
					t.Fatalf("%s %s trial %d: %+v vs %+v", name, subj, i, x, y)
				}
			}
		}
	}
}
