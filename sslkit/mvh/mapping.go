package mvh

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"sync"
)

// The 16-class mapping (category -> 0-based ILSVRC-2012 class indices), the
// toolbox's helper/human_categories.py transcribed as data.
//
//go:embed imagenet16_mapping.json
var mappingJSON []byte

type imagenetMapping struct {
	Categories      []string         `json:"categories"`
	ImagenetIndices map[string][]int `json:"imagenet_indices"`
}

var (
	mappingOnce sync.Once
	mapping     imagenetMapping
	categorySet map[string]bool
	mappingErr  error
)

func loadMapping() error {
	mappingOnce.Do(func() {
		if err := json.Unmarshal(mappingJSON, &mapping); err != nil {
			mappingErr = fmt.Errorf("mvh: embedded imagenet16_mapping.json: %w", err)
			return
		}
		sort.Strings(mapping.Categories)
		categorySet = map[string]bool{}
		for _, c := range mapping.Categories {
			if len(mapping.ImagenetIndices[c]) == 0 {
				mappingErr = fmt.Errorf("mvh: embedded mapping has no ImageNet classes for %q", c)
				return
			}
			categorySet[c] = true
		}
		if len(mapping.Categories) != 16 {
			mappingErr = fmt.Errorf("mvh: embedded mapping has %d categories, want 16", len(mapping.Categories))
		}
	})
	return mappingErr
}

// Categories returns the 16 entry-level categories in alphabetical order
// (airplane ... truck), the order the toolbox and the figures use.
func Categories() []string {
	if loadMapping() != nil {
		return nil
	}
	return append([]string(nil), mapping.Categories...)
}

// IsCategory reports whether name is one of the 16 categories.
func IsCategory(name string) bool {
	if loadMapping() != nil {
		return false
	}
	return categorySet[name]
}

// ImageNetIndices returns the 0-based ILSVRC-2012 class indices that make up
// a category.
func ImageNetIndices(category string) ([]int, error) {
	if err := loadMapping(); err != nil {
		return nil, err
	}
	idx, ok := mapping.ImagenetIndices[category]
	if !ok {
		return nil, fmt.Errorf("mvh: %q is not one of the 16 categories", category)
	}
	return append([]int(nil), idx...), nil
}

// CategoryScores maps 1000 ImageNet class probabilities to 16 category
// scores: each category's score is the mean probability of its ImageNet
// classes, as the toolbox's decision mapping does. The scores follow the
// order of Categories.
func CategoryScores(probs []float64) ([]float64, error) {
	if err := loadMapping(); err != nil {
		return nil, err
	}
	if len(probs) != 1000 {
		return nil, fmt.Errorf("mvh: need 1000 ImageNet class probabilities, got %d", len(probs))
	}
	for k, p := range probs {
		if math.IsNaN(p) || p < 0 || p > 1 {
			return nil, fmt.Errorf("mvh: probability of ImageNet class %d is %v, not in [0, 1] (pass softmax outputs, not logits)", k, p)
		}
	}
	scores := make([]float64, len(mapping.Categories))
	for i, c := range mapping.Categories {
		idx := mapping.ImagenetIndices[c]
		var sum float64
		for _, k := range idx {
			sum += probs[k]
		}
		scores[i] = sum / float64(len(idx))
	}
	return scores, nil
}

// Decide16 returns the 16-class decision for 1000 ImageNet class
// probabilities: the category with the highest mean probability over its
// ImageNet classes (the first in alphabetical order on a tie).
func Decide16(probs []float64) (string, error) {
	scores, err := CategoryScores(probs)
	if err != nil {
		return "", err
	}
	best := 0
	for i, s := range scores {
		if s > scores[best] {
			best = i
		}
	}
	return mapping.Categories[best], nil
}
