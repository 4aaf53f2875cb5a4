package display

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"gorgonia.org/tensor"
)

// tensorText is the text/plain of a tensor: a summary line (type, dtype,
// shape, min/max/mean) and the values abbreviated NumPy-style.
func tensorText(t tensor.Tensor) string {
	if isNilPointer(t) {
		return "<nil tensor>"
	}
	shape := t.Shape()
	head := fmt.Sprintf("%s %s %s", strings.TrimPrefix(fmt.Sprintf("%T", t), "*"), t.Dtype(), shapeString(shape))
	vals, err := tensorValues(t)
	if err != nil {
		return head + " (" + err.Error() + ")"
	}
	if len(vals) == 0 {
		return head + " (empty)"
	}
	lo, hi, mean := stats(vals)
	head += fmt.Sprintf("  min %.4g  max %.4g  mean %.4g", lo, hi, mean)
	var b strings.Builder
	b.WriteString(head)
	b.WriteString("\n")
	dims := []int(shape)
	if t.IsScalar() || len(dims) == 0 {
		b.WriteString(fmtNum(vals[0]))
		return b.String()
	}
	lead := 3
	if len(vals) > 1000 {
		lead = 1 // big tensors: only the first and last block of leading dims
	}
	writeNested(&b, vals, dims, 0, 0, lead, "")
	return b.String()
}

func shapeString(s tensor.Shape) string {
	parts := make([]string, len(s))
	for i, d := range s {
		parts[i] = fmt.Sprint(d)
	}
	if len(parts) == 1 {
		return "(" + parts[0] + ",)"
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// writeNested writes vals (row-major with shape dims) from offset off as
// nested brackets, showing `edge` items at each end of long dimensions.
func writeNested(b *strings.Builder, vals []float64, dims []int, axis, off, lead int, indent string) {
	n := dims[axis]
	stride := 1
	for _, d := range dims[axis+1:] {
		stride *= d
	}
	edge := 3
	if axis < len(dims)-2 {
		edge = lead
	}
	idx := visibleIndices(n, edge)
	b.WriteString("[")
	last := axis == len(dims)-1
	for k, i := range idx {
		if k > 0 {
			if last {
				b.WriteString(" ")
			} else {
				if axis < len(dims)-2 {
					b.WriteString("\n") // a blank line between blocks
				}
				b.WriteString("\n" + indent + " ")
			}
		}
		if i < 0 {
			b.WriteString("…")
			continue
		}
		if last {
			b.WriteString(fmtNum(vals[off+i*stride]))
		} else {
			writeNested(b, vals, dims, axis+1, off+i*stride, lead, indent+" ")
		}
	}
	b.WriteString("]")
}

// visibleIndices lists 0..n-1, or its first and last edge items with -1
// standing for the ellipsis.
func visibleIndices(n, edge int) []int {
	var idx []int
	if n <= 2*edge+1 {
		for i := 0; i < n; i++ {
			idx = append(idx, i)
		}
		return idx
	}
	for i := 0; i < edge; i++ {
		idx = append(idx, i)
	}
	idx = append(idx, -1)
	for i := n - edge; i < n; i++ {
		idx = append(idx, i)
	}
	return idx
}

func fmtNum(v float64) string { return fmt.Sprintf("%.4g", v) }

func stats(vals []float64) (lo, hi, mean float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	var sum float64
	n := 0
	for _, v := range vals {
		if math.IsNaN(v) {
			continue
		}
		lo = math.Min(lo, v)
		hi = math.Max(hi, v)
		sum += v
		n++
	}
	if n == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	return lo, hi, sum / float64(n)
}

// tensorValues returns the tensor's elements in row-major order as float64.
func tensorValues(t tensor.Tensor) ([]float64, error) {
	if !t.IsNativelyAccessible() {
		return nil, fmt.Errorf("values live on a device")
	}
	if t.IsScalar() {
		f, ok := toFloat(reflect.ValueOf(t.ScalarValue()))
		if !ok {
			return nil, fmt.Errorf("dtype %s is not numeric", t.Dtype())
		}
		return []float64{f}, nil
	}
	if t.RequiresIterator() {
		d, ok := t.(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("non-contiguous %T not supported", t)
		}
		m, ok := d.Materialize().(*tensor.Dense)
		if !ok {
			return nil, fmt.Errorf("cannot materialise view")
		}
		t = m
	}
	data := reflect.ValueOf(t.Data())
	if data.Kind() != reflect.Slice {
		return nil, fmt.Errorf("unexpected data %T", t.Data())
	}
	n := t.Shape().TotalSize()
	if data.Len() < n {
		n = data.Len()
	}
	out := make([]float64, n)
	for i := 0; i < n; i++ {
		f, ok := toFloat(data.Index(i))
		if !ok {
			return nil, fmt.Errorf("dtype %s is not numeric", t.Dtype())
		}
		out[i] = f
	}
	return out, nil
}

func toFloat(v reflect.Value) (float64, bool) {
	switch v.Kind() {
	case reflect.Float32, reflect.Float64:
		return v.Float(), true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return float64(v.Int()), true
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return float64(v.Uint()), true
	case reflect.Bool:
		if v.Bool() {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

// tensorBundle renders a tensor as text, adding an image grid when its
// shape looks like images.
func tensorBundle(t tensor.Tensor) Bundle {
	b := textBundle(tensorText(t))
	if isNilPointer(t) {
		return b
	}
	imgs, err := TensorImages(t)
	if err != nil || len(imgs) == 0 {
		return b
	}
	grid := ImageGrid(imgs, 0, nil)
	img, err := grid.Image()
	if err != nil {
		return b
	}
	data, err := imageBundle(img)
	if err != nil {
		return b
	}
	b.Data["image/png"] = data.Data["image/png"]
	b.Metadata = data.Metadata
	return b
}
