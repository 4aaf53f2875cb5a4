package backbone

import (
	"fmt"
	"math/rand"

	"github.com/gossl/gossl/sslkit/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ViTConfig describes a multi-stage vision transformer in the style of
// EsViT's Swin backbones, scaled down for CPU (Swin-T itself is patch 4,
// window 7, dims {96, 192, 384, 768}, depths {2, 2, 6, 2}, heads
// {3, 6, 12, 24}, MLP ratio 4). Start from DefaultViTConfig and change the
// fields you need; every field is used as given.
type ViTConfig struct {
	ImageSize  int // square input side ≥ 1 (default 32)
	InChannels int // ≥ 1 (default 3)
	PatchSize  int // ≥ 1, divides ImageSize (default 4, as Swin)
	// Dims, Depths and Heads give each stage's width, block count and
	// head count (defaults {48, 96, 192}, {2, 2, 2}, {3, 6, 12}). Between
	// stages a patch merging halves the grid and maps 4·dim to the next dim.
	Dims, Depths, Heads []int
	// Window is the attention window side (default 4); a window of 0, or
	// one at least as large as the grid, attends globally.
	Window int
	// MLPRatio > 0 sizes each block's MLP (default 4, as Swin and ViT).
	MLPRatio float64
	// NoShift keeps every block's windows fixed; by default (false) every
	// second block of a stage shifts them by Window/2 (Swin's shifted
	// windows) where the grid is larger than one window.
	NoShift bool
}

// DefaultViTConfig returns the tiny three-stage ViT: 32×32 RGB images,
// patch 4, dims {48, 96, 192}, depths {2, 2, 2}, heads {3, 6, 12},
// window 4, MLP ratio 4, shifted windows.
func DefaultViTConfig() ViTConfig {
	return ViTConfig{ImageSize: 32, InChannels: 3, PatchSize: 4,
		Dims: []int{48, 96, 192}, Depths: []int{2, 2, 2}, Heads: []int{3, 6, 12},
		Window: 4, MLPRatio: 4}
}

func (c ViTConfig) check() error {
	const hint = "(start from backbone.DefaultViTConfig())"
	switch {
	case c.ImageSize < 1:
		return fmt.Errorf("backbone: ViTConfig.ImageSize %d must be ≥ 1 %s", c.ImageSize, hint)
	case c.InChannels < 1:
		return fmt.Errorf("backbone: ViTConfig.InChannels %d must be ≥ 1 %s", c.InChannels, hint)
	case c.PatchSize < 1:
		return fmt.Errorf("backbone: ViTConfig.PatchSize %d must be ≥ 1 %s", c.PatchSize, hint)
	case c.Window < 0:
		return fmt.Errorf("backbone: ViTConfig.Window %d must be ≥ 0 %s", c.Window, hint)
	case !(c.MLPRatio > 0):
		return fmt.Errorf("backbone: ViTConfig.MLPRatio %g must be positive %s", c.MLPRatio, hint)
	}
	return nil
}

// ViT is a tiny multi-stage vision transformer with (shifted) window
// attention.
// Forward returns the mean of the final tokens (N, OutDim); ForwardTokens
// also returns the tokens themselves (N, Patches, OutDim), the patch-level
// features of EsViT's region-matching loss.
type ViT struct {
	Config  ViTConfig
	OutDim  int
	Patches int // final token count per image
	Embed   *nn.Conv2d
	Stages  []*nn.Sequential
	Norm    *nn.LayerNorm
	EmbedLN *nn.LayerNorm
	merges  []*patchMerge
}

// NewViT builds a ViT; rng may be nil.
func NewViT(cfg ViTConfig, rng *rand.Rand) (*ViT, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	n := len(cfg.Dims)
	if n == 0 || len(cfg.Depths) != n || len(cfg.Heads) != n {
		return nil, fmt.Errorf("backbone: ViTConfig needs as many Depths %v and Heads %v as Dims %v, at least one (start from backbone.DefaultViTConfig())", cfg.Depths, cfg.Heads, cfg.Dims)
	}
	if cfg.ImageSize%cfg.PatchSize != 0 {
		return nil, fmt.Errorf("backbone: ViT image size %d is not a multiple of patch size %d", cfg.ImageSize, cfg.PatchSize)
	}
	grid := cfg.ImageSize / cfg.PatchSize
	if grid%(1<<(n-1)) != 0 {
		return nil, fmt.Errorf("backbone: ViT grid %d cannot be halved %d times", grid, n-1)
	}
	if rng == nil {
		rng = rand.New(rand.NewSource(nn.DefaultRand().Int63()))
	}
	v := &ViT{Config: cfg}
	var err error
	if v.Embed, err = nn.NewConv2d("patch_embed.proj", cfg.InChannels, cfg.Dims[0], cfg.PatchSize,
		nn.ConvOptions{Stride: cfg.PatchSize, Dilation: 1, Groups: 1}, rng); err != nil {
		return nil, err
	}
	if v.EmbedLN, err = nn.NewLayerNorm("patch_embed.norm", cfg.Dims[0], nn.DefaultLayerNormOptions()); err != nil {
		return nil, err
	}
	for s := 0; s < n; s++ {
		if s > 0 {
			m, err := newPatchMerge(fmt.Sprintf("layers.%d.downsample", s-1), cfg.Dims[s-1], cfg.Dims[s], grid, rng)
			if err != nil {
				return nil, err
			}
			v.merges = append(v.merges, m)
			grid /= 2
		}
		var blocks []nn.Module
		for i := 0; i < cfg.Depths[s]; i++ {
			b, err := nn.NewTransformerBlock(fmt.Sprintf("layers.%d.blocks.%d", s, i), cfg.Dims[s], cfg.Heads[s],
				grid, grid, cfg.Window, cfg.MLPRatio, rng)
			if err != nil {
				return nil, fmt.Errorf("backbone: ViT stage %d: %w", s, err)
			}
			if i%2 == 1 && !cfg.NoShift && b.Window > 0 && b.Window < grid {
				b.Shift = b.Window / 2
			}
			blocks = append(blocks, b)
		}
		v.Stages = append(v.Stages, nn.NewSequential(blocks...))
	}
	if v.Norm, err = nn.NewLayerNorm("norm", cfg.Dims[n-1], nn.DefaultLayerNormOptions()); err != nil {
		return nil, err
	}
	v.OutDim, v.Patches = cfg.Dims[n-1], grid*grid
	return v, nil
}

func (v *ViT) Children() []nn.Module {
	c := []nn.Module{v.Embed, v.EmbedLN}
	for s, st := range v.Stages {
		if s > 0 {
			c = append(c, v.merges[s-1])
		}
		c = append(c, st)
	}
	return append(c, v.Norm)
}

func (v *ViT) Params() []*nn.Param {
	var ps []*nn.Param
	for _, m := range v.Children() {
		ps = append(ps, m.Params()...)
	}
	return ps
}

// NumParams is the number of trainable scalars.
func (v *ViT) NumParams() int { return nn.CountParams(v) }

// Forward returns mean-pooled final features (N, OutDim).
func (v *ViT) Forward(x *G.Node) (*G.Node, error) {
	pooled, _, err := v.ForwardTokens(x)
	return pooled, err
}

// ForwardTokens returns the pooled features (N, OutDim) and the final
// patch tokens (N, Patches, OutDim), after the last LayerNorm.
func (v *ViT) ForwardTokens(x *G.Node) (pooled, tokens *G.Node, err error) {
	c := v.Config
	if x == nil || x.Dims() != 4 || x.Shape()[1] != c.InChannels || x.Shape()[2] != c.ImageSize || x.Shape()[3] != c.ImageSize {
		return nil, nil, fmt.Errorf("backbone: ViT wants (N, %d, %d, %d) images, got %v", c.InChannels, c.ImageSize, c.ImageSize, shapeOf(x))
	}
	y, err := v.Embed.Forward(x) // (N, D, g, g)
	if err != nil {
		return nil, nil, err
	}
	s := y.Shape()
	if y, err = G.Transpose(y, 0, 2, 3, 1); err != nil {
		return nil, nil, err
	}
	if y, err = G.Reshape(y, tensor.Shape{s[0], s[2] * s[3], s[1]}); err != nil {
		return nil, nil, err
	}
	if y, err = v.EmbedLN.Forward(y); err != nil {
		return nil, nil, err
	}
	for i, st := range v.Stages {
		if i > 0 {
			if y, err = v.merges[i-1].Forward(y); err != nil {
				return nil, nil, err
			}
		}
		if y, err = st.Forward(y); err != nil {
			return nil, nil, err
		}
	}
	if tokens, err = v.Norm.Forward(y); err != nil {
		return nil, nil, err
	}
	sum, err := G.Sum(tokens, 1)
	if err != nil {
		return nil, nil, err
	}
	pooled, err = G.HadamardDiv(sum, G.NewConstant(float32(tokens.Shape()[1])))
	return pooled, tokens, err
}

// patchMerge concatenates each 2×2 group of tokens (4·in features),
// normalises, and maps linearly to out features, halving the grid.
type patchMerge struct {
	grid int
	Norm *nn.LayerNorm
	Proj *nn.Linear
}

func newPatchMerge(name string, in, out, grid int, rng *rand.Rand) (*patchMerge, error) {
	norm, err := nn.NewLayerNorm(name+".norm", 4*in, nn.DefaultLayerNormOptions())
	if err != nil {
		return nil, err
	}
	proj, err := nn.NewLinear(name+".reduction", 4*in, out, false, rng)
	if err != nil {
		return nil, err
	}
	return &patchMerge{grid: grid, Norm: norm, Proj: proj}, nil
}

func (p *patchMerge) Children() []nn.Module { return []nn.Module{p.Norm, p.Proj} }
func (p *patchMerge) Params() []*nn.Param   { return append(p.Norm.Params(), p.Proj.Params()...) }
func (p *patchMerge) Forward(x *G.Node) (*G.Node, error) {
	y, err := groupPatches(x, p.grid)
	if err != nil {
		return nil, err
	}
	if y, err = p.Norm.Forward(y); err != nil {
		return nil, err
	}
	return p.Proj.Forward(y)
}

// groupPatches turns (B, g·g, C) row-major tokens into (B, g·g/4, 4·C),
// each output token the concatenation of a 2×2 block of neighbours.
func groupPatches(x *G.Node, g int) (*G.Node, error) {
	b, c := x.Shape()[0], x.Shape()[2]
	// (B·g/2, 2, g/2, 2·C) → (B·g/2, g/2, 2, 2·C): the two rows of a block meet.
	y, err := G.Reshape(x, tensor.Shape{b * g / 2, 2, g / 2, 2 * c})
	if err != nil {
		return nil, err
	}
	if y, err = G.Transpose(y, 0, 2, 1, 3); err != nil {
		return nil, err
	}
	return G.Reshape(y, tensor.Shape{b, g * g / 4, 4 * c})
}
