package mvh

import (
	"sync"
	"testing"
)

// Analyses build indexes and caches lazily; run under -race this checks
// they may be called from several goroutines.
func TestConcurrentAnalyses(t *testing.T) {
	d, err := LoadShipped()
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := d.DatasetScores("colour", "resnet50"); err != nil {
				t.Error(err)
			}
			if _, err := d.ConditionAccuracy("colour", HumansName); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
}
