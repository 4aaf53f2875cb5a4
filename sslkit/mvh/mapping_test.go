package mvh

import (
	"strings"
	"testing"
)

func TestCategoriesAreTheSixteen(t *testing.T) {
	c := Categories()
	want := "airplane,bear,bicycle,bird,boat,bottle,car,cat,chair,clock,dog,elephant,keyboard,knife,oven,truck"
	if strings.Join(c, ",") != want {
		t.Fatalf("Categories = %q", c)
	}
	n := 0
	for _, cat := range c {
		idx, err := ImageNetIndices(cat)
		if err != nil {
			t.Fatal(err)
		}
		n += len(idx)
	}
	if n != 207 {
		t.Fatalf("%d ImageNet classes mapped, want 207", n)
	}
}

func TestDecide16AveragesCategoryProbabilities(t *testing.T) {
	// dog has 109 classes, knife one (499). Put 0.3 on one dog class and 0.2
	// on knife: summing would pick dog, averaging must pick knife.
	probs := make([]float64, 1000)
	dog, _ := ImageNetIndices("dog")
	knife, _ := ImageNetIndices("knife")
	probs[dog[0]] = 0.3
	probs[knife[0]] = 0.2
	got, err := Decide16(probs)
	if err != nil || got != "knife" {
		t.Fatalf("Decide16 = %q, %v; want knife", got, err)
	}
	scores, _ := CategoryScores(probs)
	if !near(scores[10], 0.3/109) || !near(scores[13], 0.2) {
		t.Fatalf("scores dog %v knife %v", scores[10], scores[13])
	}
	// 0.25 on each of the four bear classes: mean .25 beats knife's .2.
	bear, _ := ImageNetIndices("bear")
	for _, k := range bear {
		probs[k] = 0.25
	}
	if got, _ := Decide16(probs); got != "bear" {
		t.Fatalf("Decide16 = %q, want bear", got)
	}
}

func TestDecide16RejectsBadInput(t *testing.T) {
	if _, err := Decide16(make([]float64, 16)); err == nil {
		t.Fatal("16 probabilities accepted")
	}
	p := make([]float64, 1000)
	p[3] = 2.5 // a logit, not a probability
	if _, err := Decide16(p); err == nil || !strings.Contains(err.Error(), "logits") {
		t.Fatalf("logit accepted: %v", err)
	}
}
