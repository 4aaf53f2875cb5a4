package gpu

import (
	"fmt"
	"os"
)

// CUDA is the Backend on a CUDA device: memory from the Device's pool,
// GEMM through cuBLAS, the rest by the kernels of kernels.cu. Kernels run
// in order on the Device's one stream; Download and Sync wait for them.
type CUDA struct {
	dev *Device
}

// NewCUDA opens the GPU (Open) and returns its backend, or the one-line
// reason why no GPU is usable. GOSSL_CUDA_TF32=1 lets cuBLAS use TF32
// tensor cores for float32 GEMMs.
func NewCUDA() (*CUDA, error) {
	d, err := Open()
	if err != nil {
		return nil, err
	}
	if os.Getenv("GOSSL_CUDA_TF32") == "1" {
		done, err := d.enter()
		if err != nil {
			return nil, err
		}
		err = d.setTF32(true)
		done()
		if err != nil {
			return nil, err
		}
	}
	return &CUDA{dev: d}, nil
}

// Device returns the opened device.
func (c *CUDA) Device() *Device { return c.dev }

type devMem struct {
	ptr devPtr
	n   int
}

func (m *devMem) size() int { return m.n }

func (c *CUDA) Name() string { return "cuda" }

// p returns the device address of s.
func (c *CUDA) p(s Slice) (ptrArg, error) {
	m, ok := s.mem.(*devMem)
	if !ok {
		if s.n == 0 {
			return 0, nil
		}
		return 0, fmt.Errorf("gpu: a %T slice passed to the cuda backend", s.mem)
	}
	return ptrArg(m.ptr + uintptr(4*s.off)), nil
}

func (c *CUDA) ps(ss ...Slice) ([]ptrArg, error) {
	out := make([]ptrArg, len(ss))
	for i, s := range ss {
		p, err := c.p(s)
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// do runs f with the device entered.
func (c *CUDA) do(f func(d *Device) error) error {
	done, err := c.dev.enter()
	if err != nil {
		return err
	}
	defer done()
	return f(c.dev)
}

const threads = 256

// grid returns the blocks for n elements with grid-stride loops.
func (c *CUDA) grid(n int) int {
	g := (n + threads - 1) / threads
	if limit := 32 * max(c.dev.SMs, 1); g > limit {
		g = limit
	}
	return g
}

func (c *CUDA) Alloc(n int) (Slice, error) {
	if n < 0 {
		return Slice{}, fmt.Errorf("gpu: Alloc(%d)", n)
	}
	var s Slice
	err := c.do(func(d *Device) error {
		p, err := d.pool.get(4 * max(n, 1))
		s = Slice{mem: &devMem{ptr: p, n: n}, n: n}
		return err
	})
	return s, err
}

func (c *CUDA) Free(s Slice) {
	if m, ok := s.mem.(*devMem); ok {
		_ = c.do(func(d *Device) error { d.pool.put(m.ptr); return nil })
	}
}

func (c *CUDA) Upload(dst Slice, src []float32) error {
	if len(src) != dst.n {
		return fmt.Errorf("gpu: Upload of %d values into %d", len(src), dst.n)
	}
	p, err := c.p(dst)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error { return d.upload(devPtr(p), src) })
}

func (c *CUDA) Download(dst []float32, src Slice) error {
	if len(dst) != src.n {
		return fmt.Errorf("gpu: Download of %d values into %d", src.n, len(dst))
	}
	p, err := c.p(src)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error { return d.download(dst, devPtr(p)) })
}

func (c *CUDA) Fill(dst Slice, v float32) error {
	p, err := c.p(dst)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error { return d.fill(devPtr(p), v, dst.n) })
}

func (c *CUDA) Copy(dst, src Slice) error {
	if dst.n != src.n {
		return fmt.Errorf("gpu: Copy of %d values into %d", src.n, dst.n)
	}
	p, err := c.ps(dst, src)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error { return d.copyD2D(devPtr(p[0]), devPtr(p[1]), dst.n) })
}

func (c *CUDA) Sync() error { return c.do(func(d *Device) error { return d.sync() }) }

func (c *CUDA) Close() error {
	return c.do(func(d *Device) error { d.pool.trim(); return d.sync() })
}

func (c *CUDA) Gemm(tA, tB bool, m, n, k int, alpha float32, a, b Slice, beta float32, cm Slice) error {
	if err := gemmSizes(m, n, k, a, b, cm); err != nil {
		return err
	}
	if m == 0 || n == 0 {
		return nil
	}
	p, err := c.ps(a, b, cm)
	if err != nil {
		return err
	}
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	return c.do(func(d *Device) error {
		return d.sgemm(tA, tB, m, n, k, alpha, devPtr(p[0]), max(lda, 1), devPtr(p[1]), max(ldb, 1), beta, devPtr(p[2]), max(n, 1))
	})
}

func (c *CUDA) Unary(op UnaryOp, y, x Slice) error {
	if op < 0 || op >= numUnary {
		return fmt.Errorf("gpu: unknown %v", op)
	}
	if err := same("Unary "+op.String(), y, x); err != nil {
		return err
	}
	p, err := c.ps(y, x)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		return d.launch("k_unary", c.grid(x.n), threads, 0, i32Arg(op), p[0], p[1], i32Arg(x.n))
	})
}

func (c *CUDA) Binary(op BinaryOp, y, a, b Slice, s Strided) error {
	if op < 0 || op >= numBinary {
		return fmt.Errorf("gpu: unknown %v", op)
	}
	if err := s.check(a.n, b.n, op != First); err != nil {
		return err
	}
	n := s.size()
	if err := need("Binary "+op.String()+" output", y, n); err != nil {
		return err
	}
	if op == First {
		b = a
	}
	p, err := c.ps(y, a, b)
	if err != nil {
		return err
	}
	s = s.collapse(op != First)
	if len(s.Shape) == 1 && s.StrideA[0] <= 1 && (op == First || s.StrideB[0] <= 1) {
		sb := 0
		if op != First {
			sb = s.StrideB[0]
		}
		return c.do(func(d *Device) error {
			return d.launch("k_binary_flat", c.grid(n), threads, 0, i32Arg(op), p[0], p[1], p[2], i32Arg(n), i32Arg(s.StrideA[0]), i32Arg(sb))
		})
	}
	st := make(intsArg, 1+3*MaxRank)
	st[0] = int32(len(s.Shape))
	for i := range s.Shape {
		st[1+i], st[1+MaxRank+i] = int32(s.Shape[i]), int32(s.StrideA[i])
		if op != First {
			st[1+2*MaxRank+i] = int32(s.StrideB[i])
		}
	}
	return c.do(func(d *Device) error {
		return d.launch("k_binary", c.grid(n), threads, 0, i32Arg(op), p[0], p[1], p[2], i32Arg(n), st)
	})
}

func (c *CUDA) Reduce(op ReduceOp, y, x Slice, outer, n, inner int) error {
	if outer < 0 || n < 1 || inner < 1 {
		return fmt.Errorf("gpu: Reduce over (%d, %d, %d)", outer, n, inner)
	}
	if err := need("Reduce input", x, outer*n*inner); err != nil {
		return err
	}
	if err := need("Reduce output", y, outer*inner); err != nil {
		return err
	}
	p, err := c.ps(y, x)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		switch {
		case inner == 1 && n >= 1024:
			return d.launch("k_reduce_rows", outer, threads, 0, i32Arg(op), p[0], p[1], i32Arg(outer), i32Arg(n))
		case inner == 1 && n >= 32:
			rows := threads / 32
			return d.launch("k_reduce_rows_warp", (outer+rows-1)/rows, threads, 0, i32Arg(op), p[0], p[1], i32Arg(outer), i32Arg(n))
		case inner > 1 && outer*inner <= 8192 && n >= 256:
			return d.launch("k_reduce_mid", outer*inner, threads, 0, i32Arg(op), p[0], p[1], i32Arg(outer), i32Arg(n), i32Arg(inner))
		}
		return d.launch("k_reduce_cols", c.grid(outer*inner), threads, 0, i32Arg(op), p[0], p[1], i32Arg(outer), i32Arg(n), i32Arg(inner))
	})
}

func (c *CUDA) Softmax(y, x Slice, rows, cols int) error {
	if err := need("Softmax input", x, rows*cols); err != nil {
		return err
	}
	if err := need("Softmax output", y, rows*cols); err != nil {
		return err
	}
	p, err := c.ps(y, x)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		return d.launch("k_softmax", rows, threads, 0, p[0], p[1], i32Arg(rows), i32Arg(cols))
	})
}

func (c *CUDA) SoftmaxGrad(dx, y, dy Slice, rows, cols int) error {
	for _, s := range []Slice{dx, y, dy} {
		if err := need("SoftmaxGrad operand", s, rows*cols); err != nil {
			return err
		}
	}
	p, err := c.ps(dx, y, dy)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		return d.launch("k_softmax_grad", rows, threads, 0, p[0], p[1], p[2], i32Arg(rows), i32Arg(cols))
	})
}

func (c *CUDA) Im2Col(col, x Slice, g ConvGeom) error {
	if err := g.valid(); err != nil {
		return err
	}
	if err := need("Im2Col input", x, g.N*g.C*g.H*g.W); err != nil {
		return err
	}
	if err := need("Im2Col output", col, g.ColSize()); err != nil {
		return err
	}
	p, err := c.ps(col, x)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		return d.launch("k_im2col", c.grid(g.ColSize()), threads, 0, p[0], p[1], g.ints())
	})
}

func (c *CUDA) Col2Im(dx, col Slice, g ConvGeom) error {
	if err := g.valid(); err != nil {
		return err
	}
	if err := need("Col2Im output", dx, g.N*g.C*g.H*g.W); err != nil {
		return err
	}
	if err := need("Col2Im input", col, g.ColSize()); err != nil {
		return err
	}
	p, err := c.ps(dx, col)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		return d.launch("k_col2im", c.grid(g.N*g.C*g.H*g.W), threads, 0, p[0], p[1], g.ints())
	})
}

func (c *CUDA) BatchNorm(y, mean, invStd, x, gamma, beta Slice, n, ch, hw int, eps float32) error {
	if err := bnSizes(n, ch, hw, []Slice{y, x}, []Slice{mean, invStd, gamma, beta}); err != nil {
		return err
	}
	p, err := c.ps(y, mean, invStd, x, gamma, beta)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		if err := d.launch("k_bn_stats", ch, threads, 0, p[1], p[2], p[3], i32Arg(n), i32Arg(ch), i32Arg(hw), f32Arg(eps)); err != nil {
			return err
		}
		return d.launch("k_bn_apply", c.grid(n*ch*hw), threads, 0, p[0], p[3], p[1], p[2], p[4], p[5], i32Arg(n), i32Arg(ch), i32Arg(hw))
	})
}

func (c *CUDA) BatchNormGrad(dx, dGamma, dBeta, dy, x, mean, invStd, gamma Slice, n, ch, hw int) error {
	if err := bnSizes(n, ch, hw, []Slice{dx, dy, x}, []Slice{dGamma, dBeta, mean, invStd, gamma}); err != nil {
		return err
	}
	p, err := c.ps(dx, dGamma, dBeta, dy, x, mean, invStd, gamma)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		if err := d.launch("k_bn_grad_stats", ch, threads, 0, p[1], p[2], p[3], p[4], p[5], p[6], i32Arg(n), i32Arg(ch), i32Arg(hw)); err != nil {
			return err
		}
		return d.launch("k_bn_grad_apply", c.grid(n*ch*hw), threads, 0, p[0], p[3], p[4], p[5], p[6], p[7], p[1], p[2], i32Arg(n), i32Arg(ch), i32Arg(hw))
	})
}

func (c *CUDA) MaxPool(y, argmax, x Slice, g PoolGeom) error {
	if err := poolSizes(g, []Slice{x}, []Slice{y, argmax}); err != nil {
		return err
	}
	p, err := c.ps(y, argmax, x)
	if err != nil {
		return err
	}
	oh, ow := g.Out()
	return c.do(func(d *Device) error {
		return d.launch("k_maxpool", c.grid(g.N*g.C*oh*ow), threads, 0, p[0], p[1], p[2], g.ints())
	})
}

func (c *CUDA) MaxPoolGrad(dx, dy, argmax Slice, g PoolGeom) error {
	if err := poolSizes(g, []Slice{dx}, []Slice{dy, argmax}); err != nil {
		return err
	}
	p, err := c.ps(dx, dy, argmax)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		return d.launch("k_maxpool_grad", c.grid(g.N*g.C*g.H*g.W), threads, 0, p[0], p[1], p[2], g.ints())
	})
}

func (c *CUDA) AvgPool(y, x Slice, g PoolGeom) error {
	if err := poolSizes(g, []Slice{x}, []Slice{y}); err != nil {
		return err
	}
	p, err := c.ps(y, x)
	if err != nil {
		return err
	}
	oh, ow := g.Out()
	return c.do(func(d *Device) error {
		return d.launch("k_avgpool", c.grid(g.N*g.C*oh*ow), threads, 0, p[0], p[1], g.ints())
	})
}

func (c *CUDA) AvgPoolGrad(dx, dy Slice, g PoolGeom) error {
	if err := poolSizes(g, []Slice{dx}, []Slice{dy}); err != nil {
		return err
	}
	p, err := c.ps(dx, dy)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		return d.launch("k_avgpool_grad", c.grid(g.N*g.C*g.H*g.W), threads, 0, p[0], p[1], g.ints())
	})
}

func (c *CUDA) SGD(w, g, v Slice, lr, momentum, wd float32) error {
	if err := same("SGD", w, g, v); err != nil {
		return err
	}
	p, err := c.ps(w, g, v)
	if err != nil {
		return err
	}
	return c.do(func(d *Device) error {
		return d.launch("k_sgd", c.grid(w.n), threads, 0, p[0], p[1], p[2], i32Arg(w.n), f32Arg(lr), f32Arg(momentum), f32Arg(wd))
	})
}

func (c *CUDA) Adam(w, g, m, v Slice, lr, b1, b2, eps, wd float32, t int) error {
	if err := same("Adam", w, g, m, v); err != nil {
		return err
	}
	if t < 1 {
		return fmt.Errorf("gpu: Adam step %d, want ≥ 1", t)
	}
	p, err := c.ps(w, g, m, v)
	if err != nil {
		return err
	}
	c1, c2 := adamCorrections(b1, b2, t)
	return c.do(func(d *Device) error {
		return d.launch("k_adam", c.grid(w.n), threads, 0, p[0], p[1], p[2], p[3], i32Arg(w.n), f32Arg(lr), f32Arg(b1),
			f32Arg(b2), f32Arg(eps), f32Arg(wd), f32Arg(c1), f32Arg(c2))
	})
}
