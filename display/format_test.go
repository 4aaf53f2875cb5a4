package display

import (
	"strings"
	"testing"
	"time"
)

type point struct {
	X, Y  float64
	Label string
	next  *point
}

func TestFormat(t *testing.T) {
	long := make([]int, 1000)
	for i := range long {
		long[i] = i
	}
	big := map[int]string{}
	for i := 0; i < 50; i++ {
		big[i] = "v"
	}
	var nilPtr *point
	tests := []struct {
		name string
		v    any
		want []string // substrings, in order
		not  []string
	}{
		{"nil", nil, []string{"<nil>"}, nil},
		{"string at top level is not quoted", "hello", []string{"hello"}, []string{`"hello"`}},
		{"struct has field names", point{X: 1, Y: 2.5, Label: "a"}, []string{"display.point{", "X: 1", "Y: 2.5", `Label: "a"`}, nil},
		{"pointer to struct", &point{X: 3}, []string{"&display.point{X: 3"}, nil},
		{"nil pointer", nilPtr, []string{"<nil>"}, nil},
		{"long slice abbreviated", long, []string{"0, 1, 2", "9, …, 997, 998, 999", "(len 1000)"}, []string{" 500,"}},
		{"short slice whole", []int{4, 5, 6}, []string{"[]int{4, 5, 6}"}, []string{"len"}},
		{"map sorted and abbreviated", big, []string{"0: \"v\"", "9: \"v\"", "…", "49: \"v\"", "(len 50)"}, []string{"25:"}},
		{"stringer used", 90 * time.Second, []string{"1m30s"}, nil},
		{"nested slices of scalars", [][]float64{{1, 2}, {3, 4}}, []string{"[1 2]", "[3 4]"}, nil},
	}
	for _, tt := range tests {
		got := Format(tt.v)
		at := 0
		for _, w := range tt.want {
			i := strings.Index(got[at:], w)
			if i < 0 {
				t.Errorf("%s: Format = %q, want %q after offset %d", tt.name, got, w, at)
				break
			}
			at += i + len(w)
		}
		for _, n := range tt.not {
			if strings.Contains(got, n) {
				t.Errorf("%s: Format = %q, should not contain %q", tt.name, got, n)
			}
		}
	}
}

func TestFormatBreaksLongStructsIntoLines(t *testing.T) {
	type config struct {
		LearningRate, WeightDecay, Momentum, Temperature float64
		Optimizer, Backbone                              string
	}
	got := Format(config{0.001, 1e-6, 0.9, 0.5, "lars", "resnet18"})
	if !strings.Contains(got, "\n  LearningRate: 0.001,\n") {
		t.Errorf("long struct not one field per line:\n%s", got)
	}
}

func TestFormatSelfReferenceTerminates(t *testing.T) {
	p := &point{X: 1}
	p.next = p
	got := Format(p) // unexported field: must not recurse forever
	if !strings.Contains(got, "…") {
		t.Errorf("cycle not cut off: %q", got)
	}
}

func TestFormatAnonymousStructs(t *testing.T) {
	v := []struct {
		Name string
		N    int
	}{{"a", 1}, {"b", 2}}
	if got, want := Format(v), `[]struct{…}{{Name: "a", N: 1}, {Name: "b", N: 2}}`; got != want {
		t.Errorf("Format = %q, want %q", got, want)
	}
}
