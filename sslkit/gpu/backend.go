package gpu

import "fmt"

// Slice is a run of float32 values in a backend's memory: a whole
// allocation or a part of one (an arena's planned buffer).
type Slice struct {
	mem memory
	off int
	n   int
}

// Len is the number of float32 values.
func (s Slice) Len() int { return s.n }

// Sub returns values [off, off+n) of s.
func (s Slice) Sub(off, n int) Slice {
	if off < 0 || n < 0 || off+n > s.n {
		panic(fmt.Sprintf("gpu: Sub(%d, %d) of a %d-value slice", off, n, s.n))
	}
	return Slice{mem: s.mem, off: s.off + off, n: n}
}

// memory is one allocation of a backend: a Go slice (host) or device
// memory (cuda).
type memory interface{ size() int }

// UnaryOp names an elementwise function y = f(x); the names are gorgonia's.
type UnaryOp int

const (
	Abs UnaryOp = iota
	Sign
	Ceil
	Floor
	Sin
	Cos
	Exp
	Ln
	Log2
	Neg
	Square
	Sqrt
	Inv
	InvSqrt
	Cube
	Tanh
	Sigmoid
	Log1p
	Expm1
	Softplus
	Relu
	numUnary
)

var unaryNames = [numUnary]string{"abs", "sign", "ceil", "floor", "sin", "cos", "exp", "ln", "log2", "neg",
	"square", "sqrt", "inv", "invSqrt", "cube", "tanh", "sigmoid", "log1p", "expm1", "softplus", "relu"}

func (op UnaryOp) String() string {
	if op < 0 || op >= numUnary {
		return fmt.Sprintf("UnaryOp(%d)", int(op))
	}
	return unaryNames[op]
}

// BinaryOp names an elementwise function y = f(a, b). Comparisons give
// 1 or 0. First copies a (with its strides: a transpose, a broadcast).
type BinaryOp int

const (
	Add BinaryOp = iota
	Sub
	Mul
	Div
	Pow
	Lt
	Gt
	Le
	Ge
	Eq
	Ne
	Max
	Min
	First
	numBinary
)

var binaryNames = [numBinary]string{"+", "-", "⊙", "÷", "^", "<", ">", "<=", ">=", "==", "!=", "max", "min", "first"}

func (op BinaryOp) String() string {
	if op < 0 || op >= numBinary {
		return fmt.Sprintf("BinaryOp(%d)", int(op))
	}
	return binaryNames[op]
}

// ReduceOp names a reduction along one axis.
type ReduceOp int

const (
	Sum ReduceOp = iota
	Maximum
)

// MaxRank is the most dimensions a strided elementwise operand may have.
const MaxRank = 6

// Strided describes an elementwise operation's index space: y is dense
// with Shape, and operand i is read at Σ index[d]·Strides[i][d] (a stride
// 0 broadcasts along that dimension).
type Strided struct {
	Shape   []int
	StrideA []int
	StrideB []int
}

func (s Strided) size() int {
	n := 1
	for _, d := range s.Shape {
		n *= d
	}
	return n
}

// collapse merges neighbouring dimensions that both operands walk as one
// (a dense block, or a broadcast block): fewer index divisions per value.
func (s Strided) collapse(useB bool) Strided {
	if len(s.Shape) == 0 {
		return s
	}
	out := Strided{Shape: []int{s.Shape[len(s.Shape)-1]}, StrideA: []int{s.StrideA[len(s.Shape)-1]}}
	if useB {
		out.StrideB = []int{s.StrideB[len(s.Shape)-1]}
	}
	for d := len(s.Shape) - 2; d >= 0; d-- {
		if s.Shape[d] == 1 {
			continue
		}
		in := out.Shape[0]
		mergeA := s.StrideA[d] == out.StrideA[0]*in
		mergeB := !useB || s.StrideB[d] == out.StrideB[0]*in
		if out.Shape[0] == 1 {
			// a leading size-1 dimension takes the next one's strides
			out.Shape[0], out.StrideA[0] = s.Shape[d], s.StrideA[d]
			if useB {
				out.StrideB[0] = s.StrideB[d]
			}
			continue
		}
		if mergeA && mergeB {
			out.Shape[0] *= s.Shape[d]
			continue
		}
		out.Shape = append([]int{s.Shape[d]}, out.Shape...)
		out.StrideA = append([]int{s.StrideA[d]}, out.StrideA...)
		if useB {
			out.StrideB = append([]int{s.StrideB[d]}, out.StrideB...)
		}
	}
	return out
}

func (s Strided) check(na, nb int, useB bool) error {
	if len(s.Shape) > MaxRank || len(s.StrideA) != len(s.Shape) || (useB && len(s.StrideB) != len(s.Shape)) {
		return fmt.Errorf("gpu: strided operand of rank %d (strides %v, %v); at most %d", len(s.Shape), s.StrideA, s.StrideB, MaxRank)
	}
	last := func(st []int) int {
		m := 0
		for d, x := range st {
			if x < 0 {
				return -1
			}
			m += (s.Shape[d] - 1) * x
		}
		return m
	}
	if s.size() == 0 {
		return nil
	}
	if l := last(s.StrideA); l < 0 || l >= na {
		return fmt.Errorf("gpu: strides %v of shape %v reach past operand a's %d values", s.StrideA, s.Shape, na)
	}
	if useB {
		if l := last(s.StrideB); l < 0 || l >= nb {
			return fmt.Errorf("gpu: strides %v of shape %v reach past operand b's %d values", s.StrideB, s.Shape, nb)
		}
	}
	return nil
}

// ConvGeom is a 2-D convolution's geometry on NCHW images. Im2Col writes
// gorgonia's layout: (N, OH, OW, C·KH·KW), one row per output pixel.
type ConvGeom struct {
	N, C, H, W       int
	KH, KW           int
	PadH, PadW       int
	StrideH, StrideW int
	DilH, DilW       int
}

// Out returns the output's height and width.
func (g ConvGeom) Out() (oh, ow int) {
	oh = (g.H+2*g.PadH-(g.DilH*(g.KH-1)+1))/g.StrideH + 1
	ow = (g.W+2*g.PadW-(g.DilW*(g.KW-1)+1))/g.StrideW + 1
	return
}

func (g ConvGeom) valid() error {
	oh, ow := g.Out()
	if g.N < 1 || g.C < 1 || g.KH < 1 || g.KW < 1 || g.StrideH < 1 || g.StrideW < 1 || g.DilH < 1 || g.DilW < 1 || g.PadH < 0 || g.PadW < 0 || oh < 1 || ow < 1 {
		return fmt.Errorf("gpu: bad convolution geometry %+v", g)
	}
	return nil
}

// ColSize is the number of values Im2Col writes.
func (g ConvGeom) ColSize() int {
	oh, ow := g.Out()
	return g.N * oh * ow * g.C * g.KH * g.KW
}

func (g ConvGeom) ints() intsArg {
	oh, ow := g.Out()
	return intsArg{int32(g.N), int32(g.C), int32(g.H), int32(g.W), int32(g.KH), int32(g.KW), int32(g.PadH), int32(g.PadW),
		int32(g.StrideH), int32(g.StrideW), int32(g.DilH), int32(g.DilW), int32(oh), int32(ow)}
}

// PoolGeom is a 2-D pooling window on NCHW images. Average pooling
// divides by KH·KW, padding included (PyTorch's count_include_pad).
type PoolGeom struct {
	N, C, H, W       int
	KH, KW           int
	PadH, PadW       int
	StrideH, StrideW int
}

// Out returns the output's height and width.
func (g PoolGeom) Out() (oh, ow int) {
	return (g.H+2*g.PadH-g.KH)/g.StrideH + 1, (g.W+2*g.PadW-g.KW)/g.StrideW + 1
}

func (g PoolGeom) valid() error {
	oh, ow := g.Out()
	if g.N < 1 || g.C < 1 || g.KH < 1 || g.KW < 1 || g.StrideH < 1 || g.StrideW < 1 || g.PadH < 0 || g.PadW < 0 ||
		2*g.PadH > g.KH || 2*g.PadW > g.KW || oh < 1 || ow < 1 {
		return fmt.Errorf("gpu: bad pooling geometry %+v", g)
	}
	return nil
}

func (g PoolGeom) ints() intsArg {
	oh, ow := g.Out()
	return intsArg{int32(g.N), int32(g.C), int32(g.H), int32(g.W), int32(g.KH), int32(g.KW), int32(g.PadH), int32(g.PadW),
		int32(g.StrideH), int32(g.StrideW), int32(oh), int32(ow)}
}

// Backend is the kernel set that runs a training graph: every method works
// on float32 Slices of this backend's memory, may run asynchronously
// (Download and Sync wait), and returns an error rather than panicking on
// bad sizes. Host and the CUDA backend implement it; each kernel of the
// CUDA backend is checked against Host's (CheckKernels).
type Backend interface {
	Name() string
	Alloc(n int) (Slice, error)
	Free(s Slice)
	Upload(dst Slice, src []float32) error
	Download(dst []float32, src Slice) error
	Fill(dst Slice, v float32) error
	Copy(dst, src Slice) error
	Sync() error

	// Gemm: row-major C(m×n) = alpha·op(A)·op(B) + beta·C, dense operands.
	Gemm(transA, transB bool, m, n, k int, alpha float32, a, b Slice, beta float32, c Slice) error
	Unary(op UnaryOp, y, x Slice) error
	// Binary: y (dense, s.Shape) = op(a, b) read with s's strides; b is
	// ignored for First.
	Binary(op BinaryOp, y, a, b Slice, s Strided) error
	// Reduce: x viewed as (outer, n, inner) → y (outer, inner).
	Reduce(op ReduceOp, y, x Slice, outer, n, inner int) error
	// Softmax over the last axis of x (rows×cols); SoftmaxGrad gives
	// dx = y⊙(dy − Σ dy⊙y) per row.
	Softmax(y, x Slice, rows, cols int) error
	SoftmaxGrad(dx, y, dy Slice, rows, cols int) error
	Im2Col(col, x Slice, g ConvGeom) error
	// Col2Im adds col's values back into dx (the adjoint: dx is zeroed first).
	Col2Im(dx, col Slice, g ConvGeom) error
	// BatchNorm normalises x (N, C, HW) per channel with the batch's
	// statistics, and saves mean and 1/√(var+eps) per channel for
	// BatchNormGrad.
	BatchNorm(y, mean, invStd, x, gamma, beta Slice, n, c, hw int, eps float32) error
	BatchNormGrad(dx, dGamma, dBeta, dy, x, mean, invStd, gamma Slice, n, c, hw int) error
	// MaxPool writes the input position (within its plane) of each maximum
	// to argmax, as a float32, for MaxPoolGrad.
	MaxPool(y, argmax, x Slice, g PoolGeom) error
	MaxPoolGrad(dx, dy, argmax Slice, g PoolGeom) error
	AvgPool(y, x Slice, g PoolGeom) error
	AvgPoolGrad(dx, dy Slice, g PoolGeom) error
	// SGD: v = momentum·v + g + wd·w; w -= lr·v.
	SGD(w, g, v Slice, lr, momentum, wd float32) error
	// Adam (AdamW's decoupled decay when wd > 0) at step t ≥ 1.
	Adam(w, g, m, v Slice, lr, beta1, beta2, eps, wd float32, t int) error
	Close() error
}

func need(what string, s Slice, n int) error {
	if s.n < n {
		return fmt.Errorf("gpu: %s holds %d values, needs %d", what, s.n, n)
	}
	return nil
}

func same(what string, ss ...Slice) error {
	for _, s := range ss[1:] {
		if s.n != ss[0].n {
			return fmt.Errorf("gpu: %s: operands of %d and %d values", what, ss[0].n, s.n)
		}
	}
	return nil
}
