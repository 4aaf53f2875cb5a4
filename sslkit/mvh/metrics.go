package mvh

import (
	"errors"
	"fmt"
	"sort"
)

// errNoTrials wraps every "nothing to compute on" error.
var errNoTrials = errors.New("no trials")

// Accuracy is the fraction of trials whose response names the true category;
// "na" (no response) counts as an error.
func Accuracy(trials []Trial) (float64, error) {
	if len(trials) == 0 {
		return 0, fmt.Errorf("mvh: Accuracy: %w", errNoTrials)
	}
	n := 0
	for _, t := range trials {
		if t.Correct() {
			n++
		}
	}
	return float64(n) / float64(len(trials)), nil
}

// AccuracyDifference is the squared difference of two observers' accuracies,
// (p1 - p2)², the benchmark's "accuracy difference".
func AccuracyDifference(a, b []Trial) (float64, error) {
	p1, err := Accuracy(a)
	if err != nil {
		return 0, err
	}
	p2, err := Accuracy(b)
	if err != nil {
		return 0, err
	}
	return (p1 - p2) * (p1 - p2), nil
}

// Consistency compares two observers trial by trial.
type Consistency struct {
	Expected float64 // c_exp = p1·p2 + (1−p1)(1−p2): agreement of independent observers
	Observed float64 // c_obs: fraction of images both got right or both got wrong
	Kappa    float64 // error consistency (c_obs − c_exp)/(1 − c_exp); 1 when c_obs = 1
	Trials   int
}

// ErrorConsistency computes Cohen's kappa over the trial-by-trial
// correctness of two observers who saw the same images (Geirhos, Meding &
// Wichmann 2020). Trials are matched by ImageID; the two lists must hold the
// same images, else it is an error.
func ErrorConsistency(a, b []Trial) (Consistency, error) {
	if len(a) == 0 || len(b) == 0 {
		return Consistency{}, fmt.Errorf("mvh: ErrorConsistency: %w", errNoTrials)
	}
	if len(a) != len(b) {
		return Consistency{}, fmt.Errorf("mvh: ErrorConsistency: %d trials against %d; both observers must see the same images", len(a), len(b))
	}
	return consistency(byImage(a), byImage(b), a[0].Subject, b[0].Subject)
}

// consistency compares two observers' outcomes, each sorted by image.
func consistency(ka, kb []imageOutcome, nameA, nameB string) (Consistency, error) {
	if len(ka) != len(kb) || len(ka) == 0 {
		return Consistency{}, fmt.Errorf("mvh: ErrorConsistency: %d trials of %s against %d of %s; both observers must see the same images", len(ka), nameA, len(kb), nameB)
	}
	same, right1, right2 := 0, 0, 0
	for i := range ka {
		if ka[i].id != kb[i].id {
			return Consistency{}, fmt.Errorf("mvh: ErrorConsistency: image %q of %s has no match in %s's trials", ka[i].id, nameA, nameB)
		}
		if ka[i].correct == kb[i].correct {
			same++
		}
		if ka[i].correct {
			right1++
		}
		if kb[i].correct {
			right2++
		}
	}
	n := float64(len(ka))
	p1, p2 := float64(right1)/n, float64(right2)/n
	c := Consistency{
		Expected: p1*p2 + (1-p1)*(1-p2),
		Observed: float64(same) / n,
		Trials:   len(ka),
	}
	if c.Observed == 1 {
		c.Kappa = 1
	} else {
		c.Kappa = (c.Observed - c.Expected) / (1 - c.Expected)
	}
	return c, nil
}

type imageOutcome struct {
	id      string
	correct bool
}

// byImage sorts trials by image ID; among repeats of an image, correct trials
// come last so that the pairing does not depend on file order.
func byImage(trials []Trial) []imageOutcome {
	out := make([]imageOutcome, len(trials))
	for i, t := range trials {
		out[i] = imageOutcome{t.ImageID(), t.Correct()}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].id != out[j].id {
			return out[i].id < out[j].id
		}
		return !out[i].correct && out[j].correct
	})
	return out
}
