package mvh

import (
	"bytes"
	"testing"
)

// FuzzReadTrials: any trial file gives an error or trials that write back
// out and read again unchanged, never a panic.
func FuzzReadTrials(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add([]byte("\ufeff" + goodCSV))
	f.Add([]byte("subj,session,trial,rt,object_response,category,condition,imagename\n"))
	f.Add([]byte(goodCSV + "subject-01,1,3,\"0.5,oven,oven,cr,x.png\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		trials, err := ReadTrials(bytes.NewReader(data), "fuzz.csv")
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if err := WriteTrials(&buf, trials); err != nil {
			t.Fatalf("read, but cannot be written back: %v", err)
		}
		again, err := ReadTrials(&buf, "again.csv")
		if err != nil {
			t.Fatalf("written trials do not read back: %v", err)
		}
		if len(again) != len(trials) {
			t.Fatalf("%d trials became %d", len(trials), len(again))
		}
		for i := range trials {
			a, b := trials[i], again[i]
			if a.Subject != b.Subject || a.Number != b.Number || a.Response != b.Response || a.Category != b.Category ||
				a.Condition != b.Condition || a.ImageName != b.ImageName || !(a.RT == b.RT || (a.RT != a.RT && b.RT != b.RT)) {
				t.Fatalf("trial %d: %+v became %+v", i, a, b)
			}
		}
	})
}
