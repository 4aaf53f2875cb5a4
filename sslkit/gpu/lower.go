package gpu

import (
	"fmt"
	"reflect"
	"sort"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// lowered is what lower makes of one node.
type lowered struct {
	run     kernelFn
	scratch []int // sizes of the step's temporary buffers
	alias   bool  // the output is the first input's memory (a reshape)
}

// field reads an unexported field of a gorgonia op (its hyper-parameters
// have no accessors).
func field(op G.Op, name string) (reflect.Value, error) {
	v := reflect.ValueOf(op)
	for v.Kind() == reflect.Pointer || v.Kind() == reflect.Interface {
		v = v.Elem()
	}
	if v.Kind() != reflect.Struct {
		return reflect.Value{}, fmt.Errorf("op is a %v", v.Kind())
	}
	f := v.FieldByName(name)
	if !f.IsValid() {
		return reflect.Value{}, fmt.Errorf("%s has no field %s (gorgonia changed?)", v.Type(), name)
	}
	return f, nil
}

func intField(op G.Op, name string) (int, error) {
	f, err := field(op, name)
	if err != nil {
		return 0, err
	}
	switch f.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return int(f.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return int(f.Uint()), nil
	}
	return 0, fmt.Errorf("field %s is %v", name, f.Kind())
}

func intsField(op G.Op, name string) ([]int, error) {
	f, err := field(op, name)
	if err != nil {
		return nil, err
	}
	if f.Kind() != reflect.Slice {
		return nil, fmt.Errorf("field %s is %v", name, f.Kind())
	}
	out := make([]int, f.Len())
	for i := range out {
		out[i] = int(f.Index(i).Int())
	}
	return out, nil
}

func boolField(op G.Op, name string) (bool, error) {
	f, err := field(op, name)
	if err != nil {
		return false, err
	}
	return f.Bool(), nil
}

// dense returns the row-major strides of shape.
func dense(shape []int) []int {
	st := make([]int, len(shape))
	acc := 1
	for i := len(shape) - 1; i >= 0; i-- {
		st[i] = acc
		acc *= shape[i]
	}
	return st
}

func dims(s tensor.Shape) []int {
	if s.IsScalar() {
		return nil
	}
	return []int(s)
}

var binaryByName = map[string]BinaryOp{"+": Add, "-": Sub, "⊙": Mul, "÷": Div, "^": Pow,
	"<": Lt, ">": Gt, "<=": Le, ">=": Ge, "==": Eq, "!=": Ne}

var unaryByName = func() map[string]UnaryOp {
	m := map[string]UnaryOp{}
	for i, s := range unaryNames {
		m[s] = UnaryOp(i)
	}
	return m
}()

// Lowerer is implemented by ops defined outside gorgonia (sslkit/nn's
// custom ops) that can run on a Backend. LowerGPU gets the input and
// output shapes and returns the step's kernel and the sizes (in float32
// values) of the scratch buffers it needs.
type Lowerer interface {
	LowerGPU(in []tensor.Shape, out tensor.Shape) (run func(b Backend, in []Slice, out Slice, scratch []Slice) error, scratch []int, err error)
}

// lower picks the kernels for node n, whose inputs are in.
func lower(n *G.Node, in []*val) (lowered, error) {
	op := n.Op()
	out := dims(n.Shape())
	outSize := max(n.Shape().TotalSize(), 1)
	for i, v := range in {
		if v.host != nil {
			return lowered{}, fmt.Errorf("input %d is a %v value", i, v.host.Dtype())
		}
	}
	if l, ok := op.(Lowerer); ok {
		shapes := make([]tensor.Shape, len(in))
		for i, v := range in {
			shapes[i] = v.shape
		}
		run, scratch, err := l.LowerGPU(shapes, n.Shape())
		if err != nil {
			return lowered{}, err
		}
		return lowered{run: run, scratch: scratch}, nil
	}
	switch opKind(op) {
	case "gorgonia.elemBinOp":
		name, _, _ := strings.Cut(fmt.Sprint(op), " ")
		bop, ok := binaryByName[name]
		if !ok || len(in) != 2 {
			return lowered{}, fmt.Errorf("binary operator %q", name)
		}
		s, err := broadcastStrides(out, in[0], in[1])
		if err != nil {
			return lowered{}, err
		}
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error {
			return b.Binary(bop, y, x[0], x[1], s)
		}}, nil
	case "gorgonia.elemUnaryOp":
		uop, ok := unaryByName[fmt.Sprint(op)]
		if !ok {
			return lowered{}, fmt.Errorf("unary operator %q", fmt.Sprint(op))
		}
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error { return b.Unary(uop, y, x[0]) }}, nil
	case "gorgonia.reshapeOp":
		if in[0].size != outSize {
			return lowered{}, fmt.Errorf("reshape of %d values to %v", in[0].size, out)
		}
		return lowered{alias: true}, nil
	case "gorgonia.transposeOp":
		pat, err := intsField(op, "pattern")
		if err != nil {
			return lowered{}, err
		}
		src := dims(in[0].shape)
		if len(pat) != len(src) || len(pat) > MaxRank {
			return lowered{}, fmt.Errorf("transpose pattern %v of shape %v", pat, src)
		}
		ss := dense(src)
		st := Strided{Shape: make([]int, len(pat)), StrideA: make([]int, len(pat))}
		for i, p := range pat {
			st.Shape[i], st.StrideA[i] = src[p], ss[p]
		}
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error {
			return b.Binary(First, y, x[0], x[0], st)
		}}, nil
	case "gorgonia.repeatOp":
		return lowerRepeat(out, in[0])
	case "gorgonia.sizeOp":
		axis, err := intField(op, "axis")
		if err != nil {
			return lowered{}, err
		}
		src := dims(in[0].shape)
		if axis < 0 || axis >= len(src) {
			return lowered{}, fmt.Errorf("size of axis %d of shape %v", axis, src)
		}
		size := float32(src[axis])
		return lowered{run: func(b Backend, _ []Slice, y Slice, _ []Slice) error { return b.Fill(y, size) }}, nil
	case "gorgonia.sumOp":
		along, err := intsField(op, "along")
		if err != nil {
			return lowered{}, err
		}
		return lowerReduce(Sum, dims(in[0].shape), along)
	case "gorgonia.maxOp":
		along, err := intsField(op, "along")
		if err != nil {
			return lowered{}, err
		}
		return lowerReduce(Maximum, dims(in[0].shape), along)
	case "gorgonia.linAlgBinOp":
		return lowerLinAlg(op, in[0], in[1])
	case "gorgonia.im2colOp":
		g, err := convGeom(op, dims(in[0].shape))
		if err != nil {
			return lowered{}, err
		}
		if g.ColSize() != outSize {
			return lowered{}, fmt.Errorf("im2col of %v gives %d values, node wants %v", in[0].shape, g.ColSize(), out)
		}
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error { return b.Im2Col(y, x[0], g) }}, nil
	case "gorgonia.col2imOp":
		var img [4]int
		for i, f := range []string{"unpaddedB", "unpaddedC", "unpaddedH", "unpaddedW"} {
			v, err := intField(op, f)
			if err != nil {
				return lowered{}, err
			}
			img[i] = v
		}
		g, err := convGeom(op, img[:])
		if err != nil {
			return lowered{}, err
		}
		if g.ColSize() != in[0].size || img[0]*img[1]*img[2]*img[3] != outSize {
			return lowered{}, fmt.Errorf("col2im of %v into %v", in[0].shape, out)
		}
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error { return b.Col2Im(y, x[0], g) }}, nil
	case "gorgonia.maxPoolOp":
		g, err := poolGeom(op, dims(in[0].shape))
		if err != nil {
			return lowered{}, err
		}
		return lowered{scratch: []int{outSize}, run: func(b Backend, x []Slice, y Slice, s []Slice) error {
			return b.MaxPool(y, s[0], x[0], g)
		}}, nil
	case "gorgonia.maxPoolDiffOp":
		// inputs (x, y, dy): the argmax is recomputed rather than kept
		// alive from the forward pass.
		g, err := poolGeom(op, dims(in[0].shape))
		if err != nil {
			return lowered{}, err
		}
		ys := in[1].size
		return lowered{scratch: []int{ys, ys}, run: func(b Backend, x []Slice, y Slice, s []Slice) error {
			if err := b.MaxPool(s[0], s[1], x[0], g); err != nil {
				return err
			}
			return b.MaxPoolGrad(y, x[2], s[1], g)
		}}, nil
	case "gorgonia.softmaxOp", "gorgonia.softmaxDiffOp":
		axis, err := intField(op, "axis")
		if err != nil {
			return lowered{}, err
		}
		isLog, err := boolField(op, "isLog")
		if err != nil {
			return lowered{}, err
		}
		src := dims(in[0].shape)
		if axis < 0 {
			axis += len(src)
		}
		if isLog || len(src) == 0 || axis != len(src)-1 {
			return lowered{}, fmt.Errorf("only softmax over the last axis (axis %d of %v, log %v)", axis, src, isLog)
		}
		cols := src[axis]
		rows := in[0].size / cols
		if opKind(op) == "gorgonia.softmaxOp" {
			return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error { return b.Softmax(y, x[0], rows, cols) }}, nil
		}
		// inputs (x, y, dy)
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error {
			return b.SoftmaxGrad(y, x[1], x[2], rows, cols)
		}}, nil
	}
	return lowered{}, fmt.Errorf("no kernel for %s", opKind(op))
}

// broadcastStrides reads a and b into the output's index space: same shape,
// or one of them a single value.
func broadcastStrides(out []int, a, b *val) (Strided, error) {
	if len(out) > MaxRank {
		return Strided{}, fmt.Errorf("rank %d", len(out))
	}
	s := Strided{Shape: out}
	if len(out) == 0 {
		s.Shape, s.StrideA, s.StrideB = []int{1}, []int{0}, []int{0}
		return s, nil
	}
	size := 1
	for _, d := range out {
		size *= d
	}
	pick := func(v *val) ([]int, error) {
		switch v.size {
		case 1:
			return make([]int, len(out)), nil
		case size:
			return dense(out), nil
		}
		return nil, fmt.Errorf("operand of shape %v against output %v (gorgonia broadcasts through repeat nodes)", v.shape, out)
	}
	var err error
	if s.StrideA, err = pick(a); err != nil {
		return s, err
	}
	s.StrideB, err = pick(b)
	return s, err
}

func lowerRepeat(out []int, x *val) (lowered, error) {
	if len(out) > MaxRank {
		return lowered{}, fmt.Errorf("rank %d", len(out))
	}
	st := Strided{Shape: out, StrideA: make([]int, len(out))}
	if x.size != 1 {
		src := dims(x.shape)
		if len(src) != len(out) {
			return lowered{}, fmt.Errorf("repeat of %v to %v", src, out)
		}
		ds := dense(src)
		for i := range out {
			switch {
			case src[i] == out[i]:
				st.StrideA[i] = ds[i]
			case src[i] == 1:
				st.StrideA[i] = 0
			default:
				return lowered{}, fmt.Errorf("repeat of axis %d from %d to %d (only broadcasts of size-1 axes)", i, src[i], out[i])
			}
		}
	}
	if len(out) == 0 {
		st = Strided{Shape: []int{1}, StrideA: []int{0}}
	}
	return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error { return b.Binary(First, y, x[0], x[0], st) }}, nil
}

// lowerReduce reduces the axes one at a time, last axis first, through
// scratch buffers.
func lowerReduce(op ReduceOp, shape []int, along []int) (lowered, error) {
	if len(along) == 0 {
		for i := range shape {
			along = append(along, i)
		}
	}
	axes := append([]int(nil), along...)
	sort.Sort(sort.Reverse(sort.IntSlice(axes)))
	type pass struct{ outer, n, inner int }
	var passes []pass
	cur := append([]int(nil), shape...)
	for i, a := range axes {
		if a < 0 || a >= len(cur) || (i > 0 && a == axes[i-1]) {
			return lowered{}, fmt.Errorf("reduce along %v of shape %v", along, shape)
		}
		p := pass{outer: 1, n: cur[a], inner: 1}
		for _, d := range cur[:a] {
			p.outer *= d
		}
		for _, d := range cur[a+1:] {
			p.inner *= d
		}
		passes = append(passes, p)
		cur = append(cur[:a], cur[a+1:]...)
	}
	if len(passes) == 0 {
		return lowered{}, fmt.Errorf("reduce of a scalar")
	}
	var scratch []int
	for _, p := range passes[:len(passes)-1] {
		scratch = append(scratch, p.outer*p.inner)
	}
	return lowered{scratch: scratch, run: func(b Backend, x []Slice, y Slice, s []Slice) error {
		src := x[0]
		for i, p := range passes {
			dst := y
			if i < len(passes)-1 {
				dst = s[i]
			}
			if err := b.Reduce(op, dst, src, p.outer, p.n, p.inner); err != nil {
				return err
			}
			src = dst
		}
		return nil
	}}, nil
}

// gorgonia's āBinaryOperator values.
const (
	matMul = iota
	matVecMul
	vecDot
	outerProd
	batchedMatMul
)

func lowerLinAlg(op G.Op, a, bv *val) (lowered, error) {
	kind, err := intField(op, "āBinaryOperator")
	if err != nil {
		return lowered{}, err
	}
	tA, err := boolField(op, "transA")
	if err != nil {
		return lowered{}, err
	}
	tB, err := boolField(op, "transB")
	if err != nil {
		return lowered{}, err
	}
	as, bs := dims(a.shape), dims(bv.shape)
	switch kind {
	case matMul:
		if len(as) != 2 || len(bs) != 2 {
			return lowered{}, fmt.Errorf("matmul of %v and %v", as, bs)
		}
		m, k := as[0], as[1]
		if tA {
			m, k = k, m
		}
		k2, n := bs[0], bs[1]
		if tB {
			k2, n = n, k2
		}
		if k != k2 {
			return lowered{}, fmt.Errorf("matmul of %v and %v (transposed %v, %v)", as, bs, tA, tB)
		}
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error {
			return b.Gemm(tA, tB, m, n, k, 1, x[0], x[1], 0, y)
		}}, nil
	case matVecMul:
		if len(as) != 2 || len(bs) != 1 {
			return lowered{}, fmt.Errorf("matrix-vector product of %v and %v", as, bs)
		}
		m, k := as[0], as[1]
		if tA {
			m, k = k, m
		}
		if bs[0] != k {
			return lowered{}, fmt.Errorf("matrix-vector product of %v and %v", as, bs)
		}
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error {
			return b.Gemm(tA, false, m, 1, k, 1, x[0], x[1], 0, y)
		}}, nil
	case vecDot:
		if len(as) != 1 || len(bs) != 1 || as[0] != bs[0] {
			return lowered{}, fmt.Errorf("dot product of %v and %v", as, bs)
		}
		k := as[0]
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error {
			return b.Gemm(false, false, 1, 1, k, 1, x[0], x[1], 0, y)
		}}, nil
	case outerProd:
		if len(as) != 1 || len(bs) != 1 {
			return lowered{}, fmt.Errorf("outer product of %v and %v", as, bs)
		}
		m, n := as[0], bs[0]
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error {
			return b.Gemm(false, false, m, n, 1, 1, x[0], x[1], 0, y)
		}}, nil
	case batchedMatMul:
		if len(as) != 3 || len(bs) != 3 || as[0] != bs[0] {
			return lowered{}, fmt.Errorf("batched matmul of %v and %v", as, bs)
		}
		batch, m, k := as[0], as[1], as[2]
		if tA {
			m, k = k, m
		}
		k2, n := bs[1], bs[2]
		if tB {
			k2, n = n, k2
		}
		if k != k2 {
			return lowered{}, fmt.Errorf("batched matmul of %v and %v", as, bs)
		}
		return lowered{run: func(b Backend, x []Slice, y Slice, _ []Slice) error {
			for i := 0; i < batch; i++ {
				if err := b.Gemm(tA, tB, m, n, k, 1, x[0].Sub(i*m*k, m*k), x[1].Sub(i*k*n, k*n), 0, y.Sub(i*m*n, m*n)); err != nil {
					return err
				}
			}
			return nil
		}}, nil
	}
	return lowered{}, fmt.Errorf("linear-algebra operator %d", kind)
}

func convGeom(op G.Op, img []int) (ConvGeom, error) {
	if len(img) != 4 {
		return ConvGeom{}, fmt.Errorf("image shape %v, want (N, C, H, W)", img)
	}
	g := ConvGeom{N: img[0], C: img[1], H: img[2], W: img[3]}
	for _, f := range []struct {
		name string
		to   *int
	}{{"h", &g.KH}, {"w", &g.KW}, {"padH", &g.PadH}, {"padW", &g.PadW}, {"strideH", &g.StrideH},
		{"strideW", &g.StrideW}, {"dilationH", &g.DilH}, {"dilationW", &g.DilW}} {
		v, err := intField(op, f.name)
		if err != nil {
			return g, err
		}
		*f.to = v
	}
	return g, g.valid()
}

func poolGeom(op G.Op, img []int) (PoolGeom, error) {
	if len(img) != 4 {
		return PoolGeom{}, fmt.Errorf("image shape %v, want (N, C, H, W)", img)
	}
	g := PoolGeom{N: img[0], C: img[1], H: img[2], W: img[3]}
	var south, east int
	for _, f := range []struct {
		name string
		to   *int
	}{{"h", &g.KH}, {"w", &g.KW}, {"padNorth", &g.PadH}, {"padWest", &g.PadW}, {"padSouth", &south},
		{"padEast", &east}, {"strideH", &g.StrideH}, {"strideW", &g.StrideW}} {
		v, err := intField(op, f.name)
		if err != nil {
			return g, err
		}
		*f.to = v
	}
	if south != g.PadH || east != g.PadW {
		return g, fmt.Errorf("asymmetric pooling padding (%d, %d, %d, %d)", g.PadH, south, g.PadW, east)
	}
	if g.PadH != 0 || g.PadW != 0 {
		// gorgonia's padded max-pool windows differ from the kernels' at the
		// borders; not needed by sslkit's models yet.
		return g, fmt.Errorf("padded max pooling")
	}
	return g, g.valid()
}

// hostFallback runs the op's own Do on copies of its inputs and uploads
// the result: correct for any op, but it costs two copies per step.
func hostFallback(n *G.Node, in []*val) lowered {
	op := n.Op()
	outShape := n.Shape()
	return lowered{run: func(b Backend, _ []Slice, y Slice, _ []Slice) error {
		vals := make([]G.Value, len(in))
		for i, v := range in {
			if v.host != nil {
				vals[i] = v.host
				continue
			}
			d := make([]float32, v.size)
			if err := b.Download(d, v.slice); err != nil {
				return err
			}
			if v.shape.IsScalar() {
				vals[i] = G.NewF32(d[0])
			} else {
				vals[i] = tensor.New(tensor.WithShape(v.shape.Clone()...), tensor.WithBacking(d))
			}
		}
		r, err := op.Do(vals...)
		if err != nil {
			return err
		}
		d, err := floats(r)
		if err != nil {
			return err
		}
		if len(d) != y.n {
			return fmt.Errorf("host op gave %d values, node %v wants %d", len(d), outShape, y.n)
		}
		return b.Upload(y, d)
	}}
}
