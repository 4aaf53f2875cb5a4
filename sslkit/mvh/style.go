package mvh

import (
	"hash/fnv"
	"image/color"

	"gonum.org/v1/plot/vg/draw"
)

// Colours follow the paper: humans red diamonds, supervised ResNet-50 blue,
// SimCLR orange, BagNet grey; other models get a stable colour from their
// name so that a model looks the same in every figure.
var (
	humanColour = color.RGBA{165, 30, 55, 255}
	fixedColour = map[string]color.RGBA{
		"resnet50":                          {65, 90, 140, 255},
		"simclr_resnet50x1":                 {210, 150, 0, 255},
		"bagnet33":                          {110, 110, 110, 255},
		"clip":                              {255, 110, 60, 255},
		"dino_v8":                           {227, 119, 194, 255},
		"efficientnet_l2_noisy_student_475": {31, 119, 180, 255},
		"resnet50_trained_on_SIN":           {44, 160, 44, 255},
		"resnet50_trained_on_SIN_and_IN":    {120, 190, 90, 255},
		"resnet50_trained_on_SIN_and_IN_then_finetuned_on_IN": {20, 100, 40, 255},
		"swag_regnety_16gf_in1k":                              {170, 150, 220, 255},
		"swag_regnety_32gf_in1k":                              {140, 100, 200, 255},
		"swag_regnety_128gf_in1k":                             {100, 50, 160, 255},
		"swag_vit_b16_in1k":                                   {120, 200, 210, 255},
		"swag_vit_l16_in1k":                                   {23, 160, 180, 255},
		"swag_vit_h14_in1k":                                   {0, 100, 120, 255},
	}
	// palette colours models the paper did not show (your own).
	palette = []color.RGBA{
		{0, 0, 0, 255}, {188, 189, 34, 255}, {140, 86, 75, 255}, {255, 0, 160, 255},
		{0, 180, 0, 255}, {0, 90, 255, 255}, {150, 60, 0, 255}, {90, 90, 0, 255},
	}
)

// ColourOf returns the colour a subject (or HumansName) has in every figure.
func ColourOf(subject string) color.Color {
	if subject == HumansName || IsHuman(subject) {
		return humanColour
	}
	if c, ok := fixedColour[subject]; ok {
		return c
	}
	h := fnv.New32a()
	h.Write([]byte(subject))
	return palette[h.Sum32()%uint32(len(palette))]
}

func glyphOf(subject string) draw.GlyphDrawer {
	if subject == HumansName || IsHuman(subject) {
		return draw.PyramidGlyph{}
	}
	return draw.CircleGlyph{}
}
