package augment

import (
	"math"
	"math/rand"
	"strings"
	"testing"

	"gorgonia.org/tensor"
)

// randomImage is a (c, h, w) image of uniform values from seed.
func randomImage(c, h, w int, seed int64) *tensor.Dense {
	rng := rand.New(rand.NewSource(seed))
	img, pix := newImage(c, h, w)
	for i := range pix {
		pix[i] = rng.Float32()
	}
	return img
}

func pixels(t *tensor.Dense) []float32 { return t.Data().([]float32) }

func sameViews(a, b []*tensor.Dense) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !equalInts(a[i].Shape(), b[i].Shape()) {
			return false
		}
		pa, pb := pixels(a[i]), pixels(b[i])
		for j := range pa {
			if pa[j] != pb[j] {
				return false
			}
		}
	}
	return true
}

func smallDINO() DINOOptions {
	o := DefaultDINOOptions()
	o.GlobalSize, o.LocalSize, o.NumLocal = 32, 16, 4
	return o
}

func pipelines(t *testing.T) map[string]MultiView {
	dino, err := DINO(smallDINO())
	if err != nil {
		t.Fatal(err)
	}
	return map[string]MultiView{
		"SimCLR32": SimCLR(32), "SimCLR96": SimCLR(96), "BYOL32": BYOL(32), "BYOL96": BYOL(96), "DINO": dino,
		"copying": Views(2, Compose{HorizontalFlip{P: 0.5}, ColorJitter{Brightness: 0.5, P: 1}, Solarize{Threshold: 0.5, P: 0.5}}),
	}
}

func TestSeededViewsAreReproducible(t *testing.T) {
	for name, v := range pipelines(t) {
		t.Run(name, func(t *testing.T) {
			img := randomImage(3, 40, 36, 1)
			a, err := v.Views(img, rand.New(rand.NewSource(7)))
			if err != nil {
				t.Fatal(err)
			}
			b, err := v.Views(img, rand.New(rand.NewSource(7)))
			if err != nil {
				t.Fatal(err)
			}
			if !sameViews(a, b) {
				t.Fatal("same seed gave different views")
			}
			c, err := v.Views(img, rand.New(rand.NewSource(8)))
			if err != nil {
				t.Fatal(err)
			}
			if sameViews(a, c) {
				t.Fatal("different seeds gave identical views")
			}
			if sameViews(a[:1], a[1:2]) {
				t.Fatal("the first two views are identical")
			}
		})
	}
}

func TestViewsLeaveTheSourceImageUnchanged(t *testing.T) {
	for name, v := range pipelines(t) {
		t.Run(name, func(t *testing.T) {
			img := randomImage(3, 40, 36, 2)
			before := append([]float32(nil), pixels(img)...)
			for seed := range int64(20) {
				views, err := v.Views(img, rand.New(rand.NewSource(seed)))
				if err != nil {
					t.Fatal(err)
				}
				for i, view := range views {
					if &pixels(view)[0] == &pixels(img)[0] {
						t.Fatalf("view %d shares the source's pixels", i)
					}
				}
			}
			for i, p := range pixels(img) {
				if p != before[i] {
					t.Fatalf("source pixel %d changed from %v to %v", i, before[i], p)
				}
			}
		})
	}
}

func TestViewShapesAndRange(t *testing.T) {
	dino, err := DINO(smallDINO())
	if err != nil {
		t.Fatal(err)
	}
	full, err := DINO(DefaultDINOOptions())
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name  string
		v     MultiView
		in    *tensor.Dense
		sizes []int
	}{
		{"SimCLR rgb", SimCLR(32), randomImage(3, 32, 32, 3), []int{32, 32}},
		{"SimCLR gray", SimCLR(28), randomImage(1, 28, 28, 3), []int{28, 28}},
		{"BYOL upscales", BYOL(96), randomImage(3, 40, 50, 3), []int{96, 96}},
		{"DINO multi-crop", dino, randomImage(3, 40, 36, 3), []int{32, 32, 16, 16, 16, 16}},
		{"DINO gray", dino, randomImage(1, 28, 28, 3), []int{32, 32, 16, 16, 16, 16}},
		{"DINO default", full, randomImage(3, 64, 64, 3), []int{224, 224, 96, 96, 96, 96, 96, 96, 96, 96}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			views, err := c.v.Views(c.in, rand.New(rand.NewSource(4)))
			if err != nil {
				t.Fatal(err)
			}
			if len(views) != len(c.sizes) {
				t.Fatalf("%d views, want %d", len(views), len(c.sizes))
			}
			ch := c.in.Shape()[0]
			for i, v := range views {
				if want := []int{ch, c.sizes[i], c.sizes[i]}; !equalInts(v.Shape(), want) {
					t.Fatalf("view %d has shape %v, want %v", i, v.Shape(), want)
				}
				for j, p := range pixels(v) {
					if !(p >= 0 && p <= 1) {
						t.Fatalf("view %d pixel %d = %v outside [0, 1]", i, j, p)
					}
				}
			}
		})
	}
}

func TestFlipRate(t *testing.T) {
	const n = 4000
	rng := rand.New(rand.NewSource(5))
	for _, p := range []float64{0, 0.3, 0.5, 1} {
		flips := 0
		for range n {
			img := tensor.New(tensor.WithShape(1, 1, 2), tensor.WithBacking([]float32{0, 1}))
			out, err := HorizontalFlip{P: p}.Apply(img, rng)
			if err != nil {
				t.Fatal(err)
			}
			if pixels(out)[0] == 1 {
				flips++
			}
		}
		rate := float64(flips) / n
		// 6 standard deviations of a binomial rate: fails only when broken.
		if bound := 6*math.Sqrt(p*(1-p)/n) + 1e-9; math.Abs(rate-p) > bound {
			t.Errorf("P=%g: flip rate %.4f over %d draws", p, rate, n)
		}
	}
}

func TestRandomResizedCropParams(t *testing.T) {
	rng := rand.New(rand.NewSource(6))
	for _, tc := range []struct {
		h, w  int
		scale [2]float64
	}{{32, 32, [2]float64{0.08, 1}}, {28, 28, [2]float64{0.05, 0.4}}, {224, 224, [2]float64{0.4, 1}}, {20, 50, [2]float64{0.08, 1}}} {
		rrc := NewRandomResizedCrop(16, tc.scale)
		area := float64(tc.h * tc.w)
		lo, hi := math.Inf(1), 0.0
		for range 3000 {
			c := rrc.Params(tc.h, tc.w, rng)
			if c.Top < 0 || c.Left < 0 || c.Height < 1 || c.Width < 1 || c.Top+c.Height > tc.h || c.Left+c.Width > tc.w {
				t.Fatalf("%d×%d: crop %+v outside the image", tc.h, tc.w, c)
			}
			frac := float64(c.Height*c.Width) / area
			// Rounding the sides to integers moves the area by up to
			// about half a pixel row and column.
			slack := (float64(c.Height+c.Width)/2 + 1) / area
			if c.Height == tc.h && c.Width == tc.w {
				continue // the fallback: the whole (square-enough) image
			}
			if frac < tc.scale[0]-slack || frac > tc.scale[1]+slack {
				t.Fatalf("%d×%d: crop %+v covers %.4f of the image, outside %v", tc.h, tc.w, c, frac, tc.scale)
			}
			ratio := float64(c.Width) / float64(c.Height)
			rs := 1 / float64(min(c.Width, c.Height))
			if ratio < DefaultRatio[0]*(1-rs)-1e-9 || ratio > DefaultRatio[1]*(1+rs)+1e-9 {
				t.Fatalf("%d×%d: crop %+v has aspect %.3f outside %v", tc.h, tc.w, c, ratio, DefaultRatio)
			}
			lo, hi = min(lo, frac), max(hi, frac)
		}
		// The draws must cover the scale range, not a corner of it.
		// The largest crop that fits has the image's height or width.
		fits := math.Min(float64(tc.h)*math.Min(float64(tc.w), float64(tc.h)*DefaultRatio[1]),
			float64(tc.w)*math.Min(float64(tc.h), float64(tc.w)/DefaultRatio[0])) / area
		span := tc.scale[1] - tc.scale[0]
		if lo > tc.scale[0]+0.1*span || hi < math.Min(tc.scale[1], fits)-0.25*span {
			t.Errorf("%d×%d scale %v: crop areas only span [%.3f, %.3f]", tc.h, tc.w, tc.scale, lo, hi)
		}
	}
}

func TestRandomResizedCropFallback(t *testing.T) {
	// No crop of a 10×40 image has aspect ratio in (0.5, 0.8), so all ten
	// draws fail and torchvision's fallback takes the central crop with
	// the largest allowed ratio.
	rrc := RandomResizedCrop{Height: 8, Width: 8, Scale: [2]float64{0.9, 1}, Ratio: [2]float64{0.5, 0.8}}
	c := rrc.Params(10, 40, rand.New(rand.NewSource(1)))
	if want := (Crop{Top: 0, Left: 16, Height: 10, Width: 8}); c != want {
		t.Fatalf("fallback crop %+v, want %+v", c, want)
	}
	// 10/40 = 0.25 < 0.5: the width is kept, the height is round(10/0.5).
	c = rrc.Params(40, 10, rand.New(rand.NewSource(1)))
	if want := (Crop{Top: 10, Left: 0, Height: 20, Width: 10}); c != want {
		t.Fatalf("fallback crop %+v, want %+v", c, want)
	}
}

func TestColorJitterParams(t *testing.T) {
	cj := ColorJitter{Brightness: 0.4, Contrast: 1.5, Saturation: 0, Hue: 0.1, P: 0.8}
	rng := rand.New(rand.NewSource(9))
	applied := 0
	const n = 3000
	firsts := [4]int{}
	for range n {
		p := cj.Params(rng)
		if !p.Apply {
			if p.Brightness != 1 || p.Contrast != 1 || p.Saturation != 1 || p.Hue != 0 {
				t.Fatalf("skipped jitter with factors %+v", p)
			}
			continue
		}
		applied++
		seen := [4]bool{}
		for _, fn := range p.Order {
			seen[fn] = true
		}
		if seen != [4]bool{true, true, true, true} {
			t.Fatalf("order %v is not a permutation", p.Order)
		}
		firsts[p.Order[0]]++
		if p.Brightness < 0.6 || p.Brightness > 1.4 || p.Contrast < 0 || p.Contrast > 2.5 || p.Saturation != 1 || math.Abs(p.Hue) > 0.1 {
			t.Fatalf("factors %+v outside their ranges", p)
		}
	}
	if rate := float64(applied) / n; math.Abs(rate-0.8) > 6*math.Sqrt(0.16/n) {
		t.Errorf("applied %.3f of the time, want 0.8", rate)
	}
	for fn, k := range firsts {
		if k < applied/4-applied/10 || k > applied/4+applied/10 {
			t.Errorf("adjustment %d came first %d of %d times; want about a quarter", fn, k, applied)
		}
	}
}

func TestColourOpsOnOneChannel(t *testing.T) {
	img := randomImage(1, 6, 5, 10)
	before := append([]float32(nil), pixels(img)...)
	// Saturation and hue do nothing on grey images (torchvision, PIL).
	out, err := ColorJitter{}.ApplyParams(img, JitterParams{Apply: true, Order: [4]int{0, 1, 2, 3}, Brightness: 1, Contrast: 1, Saturation: 0, Hue: 0.3})
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pixels(out) {
		if p != before[i] {
			t.Fatalf("saturation/hue changed a grey pixel %d: %v → %v", i, before[i], p)
		}
	}
	if out, err = (RandomGrayscale{P: 1}).Apply(img, alwaysRNG()); err != nil || !equalInts(out.Shape(), []int{1, 6, 5}) {
		t.Fatalf("grayscale of a grey image: %v, %v", err, out)
	}
	// Colour ops refuse channel counts torchvision refuses.
	two := randomImage(2, 4, 4, 1)
	if _, err := (ColorJitter{Brightness: 0.5, P: 1}).Apply(two, alwaysRNG()); err == nil || !strings.Contains(err.Error(), "2 channels") {
		t.Fatalf("jitter of a 2-channel image: %v", err)
	}
	// Geometric ops work on any channel count.
	if out, err := NewRandomResizedCrop(3, [2]float64{0.5, 1}).Apply(two, rand.New(rand.NewSource(1))); err != nil || !equalInts(out.Shape(), []int{2, 3, 3}) {
		t.Fatalf("crop of a 2-channel image: %v", err)
	}
}

func TestGrayscaleKeepsThreeEqualChannels(t *testing.T) {
	img := randomImage(3, 4, 4, 11)
	out, err := RandomGrayscale{P: 1}.Apply(img, alwaysRNG())
	if err != nil {
		t.Fatal(err)
	}
	p := pixels(out)
	for i := range 16 {
		if p[i] != p[16+i] || p[i] != p[32+i] {
			t.Fatalf("pixel %d: channels %v %v %v differ", i, p[i], p[16+i], p[32+i])
		}
	}
}

func TestInputViewsAreMaterialised(t *testing.T) {
	batch := randomImage(3, 2*8, 8, 12).Clone().(*tensor.Dense)
	if err := batch.Reshape(2, 3, 8, 8); err != nil {
		t.Fatal(err)
	}
	second, err := batch.Slice(tensor.S(1))
	if err != nil {
		t.Fatal(err)
	}
	sd := second.(*tensor.Dense)
	want := pixels(batch)[3*64:]
	views, err := Views(1, Compose{HorizontalFlip{P: 0}}).Views(sd, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	got := pixels(views[0])
	if len(got) != 3*64 {
		t.Fatalf("view of a slice has %d values", len(got))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("pixel %d: %v, want %v (the second image of the batch)", i, got[i], want[i])
		}
	}
}

func TestThenNormalizes(t *testing.T) {
	img := randomImage(3, 16, 16, 13)
	v := Views(2, Resize{Height: 16, Width: 16}).Then(Normalize{Mean: []float64{0.5}, Std: []float64{0.25}})
	views, err := v.Views(img, rand.New(rand.NewSource(1)))
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range pixels(views[1]) {
		if want := (pixels(img)[i] - 0.5) / 0.25; math.Abs(float64(p-want)) > 1e-6 {
			t.Fatalf("pixel %d = %v, want %v", i, p, want)
		}
	}
}

func TestRandomApplyRate(t *testing.T) {
	rng := rand.New(rand.NewSource(14))
	ra := RandomApply{Transform: Solarize{Threshold: 0, P: 1}, P: 0.25}
	hits := 0
	const n = 4000
	for range n {
		img := tensor.New(tensor.WithShape(1, 1, 1), tensor.WithBacking([]float32{1}))
		out, err := ra.Apply(img, rng)
		if err != nil {
			t.Fatal(err)
		}
		if pixels(out)[0] == 0 {
			hits++
		}
	}
	if rate := float64(hits) / n; math.Abs(rate-0.25) > 6*math.Sqrt(0.25*0.75/n) {
		t.Errorf("applied %.3f of the time, want 0.25", rate)
	}
}

func TestRecipes(t *testing.T) {
	// SimCLR and BYOL blur ImageNet-sized crops only; BYOL is asymmetric.
	if b := SimCLRViewOptions(32).Blur; b.P != 0 {
		t.Errorf("SimCLR(32) blurs: %+v", b)
	}
	if b := SimCLRViewOptions(224).Blur; b.P != 0.5 || b.KernelSize != 23 || b.Sigma != [2]float64{0.1, 2} {
		t.Errorf("SimCLR(224) blur %+v", b)
	}
	by := BYOLViewOptions(224)
	if by[0].Blur.P != 1 || by[1].Blur.P != 0.1 || by[0].Solarize.P != 0 || by[1].Solarize.P != 0.2 || by[1].Solarize.Threshold != 0.5 {
		t.Errorf("BYOL(224) views %+v / %+v", by[0], by[1])
	}
	if len(BYOL(224)[0].(Compose)) != 5 || len(BYOL(224)[1].(Compose)) != 6 {
		t.Errorf("BYOL(224) pipelines have %d and %d steps, want 5 and 6", len(BYOL(224)[0].(Compose)), len(BYOL(224)[1].(Compose)))
	}
	if got := []int{BlurKernelSize(224), BlurKernelSize(96), BlurKernelSize(32), BlurKernelSize(10)}; !equalInts(got, []int{23, 9, 3, 3}) {
		t.Errorf("blur kernels %v", got)
	}
	// Solarize in BYOL's second view really happens, about 20% of the time.
	img := randomImage(3, 8, 8, 15)
	solarised := 0
	ts := BYOLViewOptions(8)[1]
	ts.Jitter.P, ts.GrayscaleP, ts.Scale = 0, 0, [2]float64{1, 1}
	rng := rand.New(rand.NewSource(16))
	for range 2000 {
		views, err := TwoViews(Resize{Height: 8, Width: 8}, ts.Transform()).Views(img, rng)
		if err != nil {
			t.Fatal(err)
		}
		var s0, s1 float64
		for i := range pixels(views[0]) {
			s0 += float64(pixels(views[0])[i])
			s1 += float64(pixels(views[1])[i])
		}
		if math.Abs(s0-s1) > 1e-3 {
			solarised++
		}
	}
	if rate := float64(solarised) / 2000; math.Abs(rate-0.2) > 0.06 {
		t.Errorf("BYOL's second view solarised %.3f of the time, want 0.2", rate)
	}
}

func TestInvalidSettingsGiveErrors(t *testing.T) {
	img := randomImage(3, 8, 8, 17)
	rng := rand.New(rand.NewSource(1))
	cases := []struct {
		name string
		t    Transform
		want string
	}{
		{"crop size", RandomResizedCrop{Scale: [2]float64{0.1, 1}, Ratio: DefaultRatio}, "output size 0×0"},
		{"crop zero scale", RandomResizedCrop{Height: 4, Width: 4, Ratio: DefaultRatio}, "Scale"},
		{"crop scale order", NewRandomResizedCrop(4, [2]float64{0.9, 0.2}), "Scale"},
		{"crop zero ratio", RandomResizedCrop{Height: 4, Width: 4, Scale: [2]float64{0.1, 1}}, "Ratio"},
		{"flip p", HorizontalFlip{P: 1.5}, "HorizontalFlip.P"},
		{"jitter negative", ColorJitter{Brightness: -1, P: 1}, "Brightness"},
		{"jitter hue", ColorJitter{Hue: 0.6, P: 1}, "Hue"},
		{"jitter p", ColorJitter{P: math.NaN()}, "ColorJitter.P"},
		{"gray p", RandomGrayscale{P: -0.1}, "RandomGrayscale.P"},
		{"blur even", GaussianBlur{KernelSize: 4, Sigma: [2]float64{0.1, 2}, P: 1}, "KernelSize"},
		{"blur sigma", GaussianBlur{KernelSize: 3, P: 1}, "Sigma"},
		{"solarize threshold", Solarize{Threshold: 2, P: 1}, "Threshold"},
		{"normalize empty", Normalize{}, "Normalize"},
		{"normalize zero std", Normalize{Mean: []float64{0}, Std: []float64{0}}, "Std[0]"},
		{"normalize channels", Normalize{Mean: []float64{0, 0}, Std: []float64{1, 1}}, "2 means"},
		{"resize", Resize{Height: 4}, "Resize"},
		{"resize shorter", ResizeShorter{}, "ResizeShorter"},
		{"centre crop", CenterCrop{Width: 3}, "CenterCrop"},
		{"random apply", RandomApply{P: 0.5}, "nil Transform"},
		{"compose nil", Compose{nil}, "transform 0 is nil"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := c.t.Apply(img, rng)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want one mentioning %q", err, c.want)
			}
		})
	}
	bad := []struct {
		name string
		img  *tensor.Dense
		want string
	}{
		{"nil", nil, "nil image"},
		{"2-D", tensor.New(tensor.WithShape(4, 4), tensor.WithBacking(make([]float32, 16))), "want (C, H, W)"},
		{"float64", tensor.New(tensor.WithShape(1, 2, 2), tensor.WithBacking(make([]float64, 4))), "float64"},
	}
	for _, b := range bad {
		for name, v := range pipelines(t) {
			if _, err := v.Views(b.img, rng); err == nil || !strings.Contains(err.Error(), b.want) {
				t.Errorf("%s of a %s image: error %v, want %q", name, b.name, err, b.want)
			}
		}
	}
	if _, err := (RandomResizedCrop{Height: 2, Width: 2}).ApplyParams(img, Crop{Top: 5, Left: 0, Height: 4, Width: 4}); err == nil || !strings.Contains(err.Error(), "outside") {
		t.Errorf("crop outside the image: %v", err)
	}
	if _, err := (ColorJitter{}).ApplyParams(img, JitterParams{Apply: true, Order: [4]int{0, 0, 1, 2}}); err == nil || !strings.Contains(err.Error(), "permutation") {
		t.Errorf("bad jitter order: %v", err)
	}
	if _, err := SimCLR(0).Views(img, rng); err == nil || !strings.Contains(err.Error(), "output size 0×0") {
		t.Errorf("SimCLR(0): %v", err)
	}
	for _, tr := range []Transform{NewRandomResizedCrop(4, [2]float64{0.5, 1}), HorizontalFlip{P: 0.5}, ColorJitter{P: 0.5},
		RandomGrayscale{P: 0.5}, GaussianBlur{KernelSize: 3, Sigma: [2]float64{1, 1}, P: 0.5}, Solarize{P: 0.5},
		RandomApply{Transform: HorizontalFlip{}, P: 0.5}} {
		if _, err := tr.Apply(img, nil); err == nil || !strings.Contains(err.Error(), "nil rng") {
			t.Errorf("%T with a nil rng: %v", tr, err)
		}
	}
	if _, err := (MultiView{}).Views(img, rng); err == nil {
		t.Error("an empty MultiView gave views")
	}
}

func TestDINOOptionErrors(t *testing.T) {
	cases := []struct {
		name string
		edit func(*DINOOptions)
		want string
	}{
		{"global size", func(o *DINOOptions) { o.GlobalSize = 0 }, "GlobalSize"},
		{"local size", func(o *DINOOptions) { o.LocalSize = -1 }, "LocalSize"},
		{"num local", func(o *DINOOptions) { o.NumLocal = -2 }, "NumLocal"},
		{"global scale", func(o *DINOOptions) { o.GlobalScale = [2]float64{0.5, 1.5} }, "GlobalScale"},
		{"local scale", func(o *DINOOptions) { o.LocalScale = [2]float64{0.4, 0.05} }, "LocalScale"},
		{"sigma", func(o *DINOOptions) { o.BlurSigma = [2]float64{} }, "BlurSigma"},
		{"ratio", func(o *DINOOptions) { o.Ratio = [2]float64{} }, "Ratio"},
		{"blur p", func(o *DINOOptions) { o.GlobalBlurP[1] = 2 }, "GlobalBlurP[1]"},
		{"solarize p", func(o *DINOOptions) { o.GlobalSolarizeP[0] = -1 }, "GlobalSolarizeP[0]"},
		{"jitter", func(o *DINOOptions) { o.Jitter.Hue = 0.7 }, "Jitter"},
		{"threshold", func(o *DINOOptions) { o.SolarizeThreshold = 3 }, "SolarizeThreshold"},
	}
	for _, c := range cases {
		o := DefaultDINOOptions()
		c.edit(&o)
		if _, err := DINO(o); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one naming %q", c.name, err, c.want)
		}
	}
	// Zero local crops is a valid choice (literal zero means zero).
	o := DefaultDINOOptions()
	o.NumLocal, o.LocalSize = 0, 0
	v, err := DINO(o)
	if err != nil || len(v) != 2 {
		t.Fatalf("DINO without local crops: %d views, %v", len(v), err)
	}
}
