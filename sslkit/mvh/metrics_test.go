package mvh

import (
	"math"
	"strings"
	"testing"
)

// obs builds trials of one subject from "image:response:category" triples.
func obs(subject string, specs ...string) []Trial {
	var out []Trial
	for i, s := range specs {
		p := strings.Split(s, ":")
		out = append(out, Trial{Subject: subject, Number: i + 1, RT: math.NaN(), ImageName: p[0], Response: p[1], Category: p[2], Condition: "0"})
	}
	return out
}

func near(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

func TestAccuracyCountsNoResponseAsError(t *testing.T) {
	tr := obs("s", "a.png:dog:dog", "b.png:na:cat", "c.png:cat:cat", "d.png:bear:dog")
	acc, err := Accuracy(tr)
	if err != nil || !near(acc, 0.5) {
		t.Fatalf("Accuracy = %v, %v; want 0.5", acc, err)
	}
	if _, err := Accuracy(nil); err == nil {
		t.Fatal("Accuracy(nil) gave no error")
	}
}

func TestAccuracyDifferenceIsSquared(t *testing.T) {
	a := obs("a", "1:dog:dog", "2:dog:dog", "3:dog:dog", "4:cat:dog") // 0.75
	b := obs("b", "1:dog:dog", "2:cat:dog", "3:cat:dog", "4:cat:dog") // 0.25
	d, err := AccuracyDifference(a, b)
	if err != nil || !near(d, 0.25) {
		t.Fatalf("AccuracyDifference = %v, %v; want 0.25", d, err)
	}
}

func TestErrorConsistencyKnownKappa(t *testing.T) {
	// a right on 1,2,3; b right on 1,2,4 (trials given in another order).
	// p1 = p2 = 0.75: c_exp = 0.5625 + 0.0625 = 0.625; both agree on 1,2 ->
	// c_obs = 0.5; kappa = (0.5 - 0.625)/(1 - 0.625) = -1/3.
	a := obs("a", "x_1.png:dog:dog", "x_2.png:cat:cat", "x_3.png:car:car", "x_4.png:dog:car")
	b := obs("b", "y_4.png:car:car", "y_3.png:dog:car", "y_2.png:cat:cat", "y_1.png:dog:dog")
	c, err := ErrorConsistency(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if !near(c.Expected, 0.625) || !near(c.Observed, 0.5) || !near(c.Kappa, -1.0/3) || c.Trials != 4 {
		t.Fatalf("got %+v; want expected .625, observed .5, kappa -1/3", c)
	}
}

func TestErrorConsistencyIdenticalIsOne(t *testing.T) {
	// all correct: c_exp = 1 would divide by zero; kappa is defined as 1.
	a := obs("a", "1:dog:dog", "2:cat:cat")
	c, err := ErrorConsistency(a, obs("b", "1:dog:dog", "2:cat:cat"))
	if err != nil || c.Kappa != 1 || c.Observed != 1 {
		t.Fatalf("got %+v, %v; want kappa 1", c, err)
	}
	// Same correctness pattern, different wrong answers: still kappa 1.
	c, err = ErrorConsistency(obs("a", "1:dog:dog", "2:car:cat"), obs("b", "1:dog:dog", "2:bear:cat"))
	if err != nil || c.Kappa != 1 {
		t.Fatalf("got %+v, %v; want kappa 1", c, err)
	}
}

func TestErrorConsistencyOppositeIsMinusOne(t *testing.T) {
	a := obs("a", "1:dog:dog", "2:car:cat")
	b := obs("b", "1:cat:dog", "2:cat:cat")
	c, err := ErrorConsistency(a, b)
	if err != nil || !near(c.Kappa, -1) {
		t.Fatalf("got %+v, %v; want kappa -1", c, err)
	}
}

func TestErrorConsistencyNeedsSameImages(t *testing.T) {
	a := obs("a", "1:dog:dog", "2:car:cat")
	if _, err := ErrorConsistency(a, obs("b", "1:dog:dog", "3:cat:cat")); err == nil || !strings.Contains(err.Error(), "no match") {
		t.Fatalf("different images: err = %v", err)
	}
	if _, err := ErrorConsistency(a, obs("b", "1:dog:dog")); err == nil {
		t.Fatal("different lengths gave no error")
	}
}

func TestImageIDStripsExperimentPrefix(t *testing.T) {
	cases := map[string]string{
		"0001_cl_s01_cr_oven_40_n04111531_14126.png":     "n04111531_14126.png",
		"0001_cl_dnn_cr_oven_40_n04111531_14126.png":     "n04111531_14126.png",
		"0001_s5n_s01_0_bird_00_bird3-bird2.png":         "bird3-bird2.png",
		"airplane1-bicycle2.png":                         "airplane1-bicycle2.png",
		"0000_cl_s01_bw_boat_40_n02951358_5952.JPEG":     "n02951358_5952.JPEG",
		"0002_ske_dnn_0_airplane_00_airplane-0002-s.png": "airplane-0002-s.png",
	}
	for in, want := range cases {
		if got := ImageID(in); got != want {
			t.Errorf("ImageID(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTextureCategory(t *testing.T) {
	cases := map[string]string{
		"0001_s5n_s01_0_bird_00_dog10-bird2.png": "bird",
		"airplane1-bicycle2.png":                 "bicycle",
		"knife3-elephant10.png":                  "elephant",
	}
	for in, want := range cases {
		if got := TextureCategory(in); got != want {
			t.Errorf("TextureCategory(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestShapeBias(t *testing.T) {
	tr := obs("s",
		"dog1-cat2.png:dog:dog",     // shape
		"dog2-cat3.png:cat:dog",     // texture
		"dog3-car1.png:dog:dog",     // shape
		"dog4-car2.png:bear:dog",    // neither: counted as trial only
		"dog5-dog6.png:cat:dog",     // no conflict: dropped
		"cat1-dog1.png:cat:cat",     // shape
		"cat2-knife1.png:na:cat",    // neither
		"cat3-knife2.png:knife:cat") // texture
	r, err := ShapeBias(tr)
	if err != nil {
		t.Fatal(err)
	}
	if r.ShapeHits != 3 || r.TextureHits != 2 || r.Trials != 7 || !near(r.ShapeBias, 0.6) {
		t.Fatalf("got %+v; want 3 shape, 2 texture, 7 trials, bias .6", r)
	}
	per, err := ShapeBiasByCategory(tr)
	if err != nil {
		t.Fatal(err)
	}
	if len(per) != 2 || per[0].Category != "cat" || !near(per[0].ShapeBias, 0.5) || per[1].Category != "dog" || !near(per[1].ShapeBias, 2.0/3) {
		t.Fatalf("per category = %+v; want cat .5, dog 2/3", per)
	}
	if _, err := ShapeBias(obs("s", "dog1-cat1.png:car:dog")); err == nil {
		t.Fatal("no shape or texture decision gave no error")
	}
}

func TestConfusionColumnsSumTo100(t *testing.T) {
	tr := obs("s", "1:dog:dog", "2:cat:dog", "3:na:dog", "4:dog:dog", "5:cat:cat")
	m, err := Confusion(tr)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Columns, ",") != "cat,dog" || m.Rows[0] != NoResponse || len(m.Rows) != 17 {
		t.Fatalf("rows %q columns %q", m.Rows, m.Columns)
	}
	row := func(name string) int {
		for i, r := range m.Rows {
			if r == name {
				return i
			}
		}
		t.Fatalf("no row %q", name)
		return -1
	}
	if !near(m.Percent[row("dog")][1], 50) || !near(m.Percent[row("cat")][1], 25) || !near(m.Percent[row("na")][1], 25) || !near(m.Percent[row("cat")][0], 100) {
		t.Fatalf("percent = %v", m.Percent)
	}
	if d := m.Diagonal(); !near(d[0], 100) || !near(d[1], 50) {
		t.Fatalf("diagonal = %v", d)
	}
}
