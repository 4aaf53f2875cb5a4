package augment

import (
	"fmt"
	"math/rand"

	"gorgonia.org/tensor"
)

// Compose applies its transforms in order, each to the previous one's
// output (torchvision's Compose).
//
// In a notebook, a transform type defined in a cell must first be
// assigned to a variable of type augment.Transform (var t
// augment.Transform = myCrop{}) before it goes into a Compose or
// MultiView literal: the interpreter (yaegi 0.16) converts it for a plain
// function argument or assignment but not inside a literal of a compiled
// slice type, nor for a variadic argument.
type Compose []Transform

// Apply runs the transforms in order.
func (c Compose) Apply(img *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error) {
	for i, t := range c {
		if t == nil {
			return nil, fmt.Errorf("augment: Compose: transform %d is nil", i)
		}
		var err error
		if img, err = t.Apply(img, rng); err != nil {
			return nil, err
		}
	}
	return img, nil
}

// Validate checks every transform that can check itself (those with a
// Validate method, as all of this package's), so a bad pipeline fails
// when it is built rather than at the first image.
func (c Compose) Validate() error {
	for i, t := range c {
		if t == nil {
			return fmt.Errorf("augment: Compose: transform %d is nil", i)
		}
		if err := validate(t); err != nil {
			return fmt.Errorf("augment: Compose: transform %d: %w", i, err)
		}
	}
	return nil
}

// freshOutput: a pipeline whose first step writes a new tensor never
// modifies its input.
func (c Compose) freshOutput() bool { return len(c) > 0 && isFresh(c[0]) }

// RandomApply applies Transform with probability P (torchvision's
// RandomApply).
type RandomApply struct {
	Transform Transform
	P         float64
}

// Validate reports a nil transform, a probability outside [0, 1] or an
// invalid inner transform.
func (t RandomApply) Validate() error {
	if t.Transform == nil {
		return fmt.Errorf("augment: RandomApply: nil Transform")
	}
	if err := checkProb("RandomApply", "P", t.P); err != nil {
		return err
	}
	return validate(t.Transform)
}

// Apply runs Transform with probability P, or returns img unchanged.
func (t RandomApply) Apply(img *tensor.Dense, rng *rand.Rand) (*tensor.Dense, error) {
	if rng == nil {
		return nil, errNilRNG("RandomApply")
	}
	if err := t.Validate(); err != nil {
		return nil, err
	}
	if rng.Float64() < t.P {
		return t.Transform.Apply(img, rng)
	}
	return img, nil
}

// validator is implemented by transforms that can check their settings
// before seeing an image.
type validator interface{ Validate() error }

func validate(t Transform) error {
	if v, ok := t.(validator); ok {
		return v.Validate()
	}
	return nil
}

// fresher is implemented by transforms that always return a new tensor and
// never modify their input: a view built from one needs no copy of the
// source image.
type fresher interface{ freshOutput() bool }

func isFresh(t Transform) bool {
	f, ok := t.(fresher)
	return ok && f.freshOutput()
}
