package embed

// quadTree is a Barnes–Hut quadtree over 2-D points, rebuilt every
// iteration. Node 0 is the root; a node's four children are stored
// consecutively from child (0 for a leaf). Leaves hold their points as a
// range of perm.
type quadTree struct {
	nodes []qtNode
	perm  []int32
	y     []float64 // the points, interleaved x, y
}

type qtNode struct {
	width      float64 // side length of the square cell
	comX, comY float64 // centre of mass
	count      int32
	child      int32 // index of the first of 4 children; 0 for a leaf
	lo, hi     int32 // the points of a leaf: perm[lo:hi]
}

// maxQTDepth stops splitting cells of (near-)duplicate points.
const maxQTDepth = 48

func (t *quadTree) build(y []float64) {
	n := len(y) / 2
	t.y = y
	if cap(t.perm) < n {
		t.perm = make([]int32, n)
	}
	t.perm = t.perm[:n]
	minX, minY, maxX, maxY := y[0], y[1], y[0], y[1]
	for i := 0; i < n; i++ {
		x, yy := y[2*i], y[2*i+1]
		t.perm[i] = int32(i)
		minX, maxX = min(minX, x), max(maxX, x)
		minY, maxY = min(minY, yy), max(maxY, yy)
	}
	w := max(maxX-minX, maxY-minY)*(1+1e-6) + 1e-12
	t.nodes = t.nodes[:0]
	t.nodes = append(t.nodes, qtNode{})
	t.split(0, minX+w/2, minY+w/2, w, 0, int32(n), 0)
}

// split fills node k for the points perm[lo:hi] in the square centred at
// (cx, cy) of side w.
func (t *quadTree) split(k int, cx, cy, w float64, lo, hi int32, depth int) {
	var sx, sy float64
	for _, p := range t.perm[lo:hi] {
		sx += t.y[2*p]
		sy += t.y[2*p+1]
	}
	cnt := hi - lo
	nd := &t.nodes[k]
	nd.width, nd.count, nd.lo, nd.hi = w, cnt, lo, hi
	if cnt > 0 {
		nd.comX, nd.comY = sx/float64(cnt), sy/float64(cnt)
	}
	if cnt <= 1 || depth >= maxQTDepth {
		return
	}
	// partition into quadrants: 0 = (x<cx, y<cy), 1 = (x≥cx, y<cy), 2 = (x<cx, y≥cy), 3 = (x≥cx, y≥cy)
	ps := t.perm[lo:hi]
	quad := func(p int32) int {
		q := 0
		if t.y[2*p] >= cx {
			q |= 1
		}
		if t.y[2*p+1] >= cy {
			q |= 2
		}
		return q
	}
	var counts [4]int32
	for _, p := range ps {
		counts[quad(p)]++
	}
	var starts [5]int32
	for q := 0; q < 4; q++ {
		starts[q+1] = starts[q] + counts[q]
	}
	// in-place cycle partition
	next := starts
	for q := 0; q < 4; q++ {
		for next[q] < starts[q+1] {
			p := ps[next[q]]
			if qq := quad(p); qq == q {
				next[q]++
			} else {
				ps[next[q]], ps[next[qq]] = ps[next[qq]], p
				next[qq]++
			}
		}
	}
	first := int32(len(t.nodes))
	t.nodes[k].child = first
	t.nodes = append(t.nodes, qtNode{}, qtNode{}, qtNode{}, qtNode{})
	h := w / 4
	for q := 0; q < 4; q++ {
		ccx, ccy := cx-h, cy-h
		if q&1 != 0 {
			ccx = cx + h
		}
		if q&2 != 0 {
			ccy = cy + h
		}
		t.split(int(first)+q, ccx, ccy, w/2, lo+starts[q], lo+starts[q+1], depth+1)
	}
}

// repulsion sums, for point i, the Student-t kernel q = 1/(1+d²) over all
// other points (sumQ) and the unnormalised repulsive force Σ q²·(yᵢ−yⱼ),
// treating a cell as one body when its width/distance is below theta.
func (t *quadTree) repulsion(i int, theta2 float64, stack []int32) (fx, fy, sumQ float64, _ []int32) {
	xi, yi := t.y[2*i], t.y[2*i+1]
	stack = append(stack[:0], 0)
	for len(stack) > 0 {
		k := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		nd := &t.nodes[k]
		if nd.count == 0 {
			continue
		}
		if nd.child == 0 {
			for _, p := range t.perm[nd.lo:nd.hi] {
				if int(p) == i {
					continue
				}
				dx, dy := xi-t.y[2*p], yi-t.y[2*p+1]
				q := 1 / (1 + dx*dx + dy*dy)
				sumQ += q
				q *= q
				fx += q * dx
				fy += q * dy
			}
			continue
		}
		dx, dy := xi-nd.comX, yi-nd.comY
		d2 := dx*dx + dy*dy
		if nd.width*nd.width < theta2*d2 {
			q := 1 / (1 + d2)
			c := float64(nd.count)
			sumQ += c * q
			q *= c * q
			fx += q * dx
			fy += q * dy
			continue
		}
		stack = append(stack, nd.child, nd.child+1, nd.child+2, nd.child+3)
	}
	return fx, fy, sumQ, stack
}
