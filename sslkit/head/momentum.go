package head

import (
	"fmt"
	"math"

	"github.com/gossl/gossl/sslkit/nn"
)

// pairs matches teacher and student parameters by name and shape.
func pairs(teacher, student []*nn.Param) ([][2]*nn.Param, error) {
	byName := make(map[string]*nn.Param, len(student))
	for _, p := range student {
		byName[p.Name] = p
	}
	if len(teacher) != len(student) {
		return nil, fmt.Errorf("head: teacher has %d tensors, student %d", len(teacher), len(student))
	}
	out := make([][2]*nn.Param, 0, len(teacher))
	for _, t := range teacher {
		s, ok := byName[t.Name]
		if !ok {
			return nil, fmt.Errorf("head: student has no %q (build the teacher with the same constructor and names)", t.Name)
		}
		if !t.Value.Shape().Eq(s.Value.Shape()) {
			return nil, fmt.Errorf("head: %s has shape %v in the teacher, %v in the student", t.Name, t.Value.Shape(), s.Value.Shape())
		}
		out = append(out, [2]*nn.Param{t, s})
	}
	return out, nil
}

// CopyWeights sets every parameter and buffer of teacher to the student's
// (the initial state of a momentum teacher). The two must be built by the
// same constructor with the same names.
func CopyWeights(teacher, student nn.Module) error {
	ps, err := pairs(append(teacher.Params(), nn.Buffers(teacher)...), append(student.Params(), nn.Buffers(student)...))
	if err != nil {
		return err
	}
	for _, p := range ps {
		copy(p[0].Data(), p[1].Data())
	}
	return nil
}

// MomentumUpdate moves the teacher's parameters towards the student's:
// θ_t ← m·θ_t + (1−m)·θ_s (MoCo's key encoder, BYOL's target, DINO's
// teacher). Buffers such as BatchNorm statistics are left to the teacher's
// own forward passes, as in those methods. 0 ≤ m ≤ 1.
func MomentumUpdate(teacher, student nn.Module, m float64) error {
	if m < 0 || m > 1 || math.IsNaN(m) {
		return fmt.Errorf("head: momentum %g outside [0, 1]", m)
	}
	ps, err := pairs(teacher.Params(), student.Params())
	if err != nil {
		return err
	}
	a, b := float32(m), float32(1-m)
	for _, p := range ps {
		t, s := p[0].Data(), p[1].Data()
		for i := range t {
			t[i] = a*t[i] + b*s[i]
		}
	}
	return nil
}

// CosineMomentum is BYOL's schedule: the momentum rises from base at step
// 0 to 1 at step total, m = 1 − (1 − base)·(cos(π·step/total) + 1)/2.
func CosineMomentum(base float64, step, total int) float64 {
	if total <= 0 || step >= total {
		return 1
	}
	if step < 0 {
		step = 0
	}
	return 1 - (1-base)*(math.Cos(math.Pi*float64(step)/float64(total))+1)/2
}
