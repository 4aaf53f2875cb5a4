package display

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	"math"
	"strings"

	xdraw "golang.org/x/image/draw"
)

// EmbeddingMap is an interactive map of 2-D embeddings (from PCA, t-SNE or
// UMAP). It renders as self-contained HTML (nothing fetched from the
// network) that starts as a static image of the map, with its legend, and
// that a script replaces with the interactive view: zoom (wheel), pan
// (drag), reset (double click), a legend whose entries hide their class
// when clicked and, on hover, the point's label and thumbnail. Where
// scripts do not run (an untrusted notebook in Jupyter, a sanitised
// viewer) the static image is what shows.
type EmbeddingMap struct {
	Title      string
	X, Y       []float64
	Labels     []int         // class of each point; nil puts all in class 0
	ClassNames []string      // optional name of each class, by label
	Thumbnails []image.Image // optional image of each point, shown on hover
}

// Map size in CSS pixels, and the largest thumbnail side kept.
const (
	mapWidth, mapHeight = 640, 480
	mapPad              = 20
	maxThumbSide        = 96
)

// NewEmbeddingMap returns a map of the points (xs[i], ys[i]) with their
// labels and thumbnails (either may be nil). Set Title and ClassNames on
// the result as needed.
func NewEmbeddingMap(xs, ys []float64, labels []int, thumbnails []image.Image) *EmbeddingMap {
	return &EmbeddingMap{Title: "Embedding map", X: xs, Y: ys, Labels: labels, Thumbnails: thumbnails}
}

// Check reports what is wrong with the map's data, or nil.
func (m *EmbeddingMap) Check() error {
	switch {
	case len(m.X) != len(m.Y):
		return fmt.Errorf("display: EmbeddingMap: %d x values for %d y values", len(m.X), len(m.Y))
	case len(m.X) == 0:
		return fmt.Errorf("display: EmbeddingMap: no points")
	case m.Labels != nil && len(m.Labels) != len(m.X):
		return fmt.Errorf("display: EmbeddingMap: %d labels for %d points", len(m.Labels), len(m.X))
	case m.Thumbnails != nil && len(m.Thumbnails) != len(m.X):
		return fmt.Errorf("display: EmbeddingMap: %d thumbnails for %d points", len(m.Thumbnails), len(m.X))
	}
	for i := range m.X {
		if math.IsNaN(m.X[i]) || math.IsInf(m.X[i], 0) || math.IsNaN(m.Y[i]) || math.IsInf(m.Y[i], 0) {
			return fmt.Errorf("display: EmbeddingMap: point %d is (%v, %v); coordinates must be finite", i, m.X[i], m.Y[i])
		}
	}
	return nil
}

func (m *EmbeddingMap) label(i int) int {
	if m.Labels == nil {
		return 0
	}
	return m.Labels[i]
}

// classes lists the distinct labels in ascending order.
func (m *EmbeddingMap) classes() []int {
	_, order := groupByLabel(m.X, m.Y, m.Labels)
	return order
}

// String describes the map in one line.
func (m *EmbeddingMap) String() string {
	if err := m.Check(); err != nil {
		return err.Error()
	}
	return fmt.Sprintf("embedding map %q: %d points, %d classes", m.Title, len(m.X), len(m.classes()))
}

// Render returns text/html (the static image, upgraded by its script to
// the interactive map) and text/plain. The static PNG travels inside the
// HTML, not beside it: frontends prefer the HTML anyway, sanitised or not.
func (m *EmbeddingMap) Render() Bundle {
	if err := m.Check(); err != nil {
		return errorBundle(err)
	}
	html, err := m.HTML()
	if err != nil {
		return errorBundle(err)
	}
	return Bundle{Data: map[string]any{"text/html": html, "text/plain": m.String()}}
}

// staticPNG draws the map as a scatter chart of the map's display size,
// at twice that resolution.
func (m *EmbeddingMap) staticPNG() ([]byte, error) {
	// The HTML shows the title.
	c := scatterChart("", m.X, m.Y, m.Labels, m.ClassNames).Resize(float64(mapWidth)/cssDPI, float64(mapHeight)/cssDPI)
	if err := c.Err(); err != nil {
		return nil, err
	}
	return c.PNG()
}

// mapPoints is the data the script draws: points in view coordinates
// (rounded to a tenth of a pixel), their class indexes, the classes'
// names and colours, and the thumbnails.
type mapPoints struct {
	X          []float64 `json:"x"`
	Y          []float64 `json:"y"`
	Class      []int     `json:"c"`
	Names      []string  `json:"names"`
	Colours    []string  `json:"colours"`
	Thumbs     []string  `json:"thumbs"`
	ThumbIndex []int     `json:"thumbIndex"`
}

// HTML returns the map's HTML on its own.
func (m *EmbeddingMap) HTML() (string, error) {
	if err := m.Check(); err != nil {
		return "", err
	}
	id := newID()
	classes := m.classes()
	classIndex := map[int]int{}
	data := mapPoints{}
	for k, c := range classes {
		classIndex[c] = k
		data.Names = append(data.Names, className(c, m.ClassNames))
		data.Colours = append(data.Colours, cssColor(labelColor(k)))
	}
	px, py := m.project()
	for i := range m.X {
		data.X = append(data.X, math.Round(px[i]*10)/10)
		data.Y = append(data.Y, math.Round(py[i]*10)/10)
		data.Class = append(data.Class, classIndex[m.label(i)])
	}
	var err error
	data.Thumbs, data.ThumbIndex, err = m.thumbnailURIs()
	if err != nil {
		return "", err
	}
	dataJSON, err := json.Marshal(data)
	if err != nil {
		return "", fmt.Errorf("display: EmbeddingMap: %w", err)
	}
	static, err := m.staticPNG()
	if err != nil {
		return "", fmt.Errorf("display: EmbeddingMap: drawing the static image: %w", err)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<div id="%s" class="gossl-embedding-map" style="position:relative;display:inline-block;font-family:sans-serif;font-size:13px">`, id)
	fmt.Fprintf(&b, `<div style="font-weight:bold;margin-bottom:2px">%s</div>`, escapeHTML(m.Title))
	fmt.Fprintf(&b, `<img class="gm-static" src="data:image/png;base64,%s" width="%d" height="%d" alt="%s">`,
		base64.StdEncoding.EncodeToString(static), mapWidth, mapHeight, escapeHTML(m.String()))
	// </script> cannot appear inside the JSON: data URIs are base64 and
	// encoding/json escapes < and >.
	script := strings.NewReplacer("@ID@", id, "@DATA@", string(dataJSON),
		"@W@", fmt.Sprint(mapWidth), "@H@", fmt.Sprint(mapHeight)).Replace(mapScript)
	fmt.Fprintf(&b, "<script>%s</script></div>", script)
	return b.String(), nil
}

// project maps data coordinates into the SVG with equal scales on both
// axes (distances in an embedding mean the same in every direction) and y
// pointing up.
func (m *EmbeddingMap) project() (px, py []float64) {
	x0, x1, _ := finiteRange(m.X)
	y0, y1, _ := finiteRange(m.Y)
	spanX, spanY := math.Max(x1-x0, 1e-12), math.Max(y1-y0, 1e-12)
	s := math.Min((mapWidth-2*mapPad)/spanX, (mapHeight-2*mapPad)/spanY)
	offX := (mapWidth - s*spanX) / 2
	offY := (mapHeight - s*spanY) / 2
	px, py = make([]float64, len(m.X)), make([]float64, len(m.X))
	for i := range m.X {
		px[i] = offX + (m.X[i]-x0)*s
		py[i] = mapHeight - offY - (m.Y[i]-y0)*s
	}
	return px, py
}

// thumbnailURIs encodes the distinct thumbnails as PNG data URIs, shrunk
// to at most maxThumbSide pixels, and gives each point the index of its
// thumbnail (-1 for none). Identical thumbnails (one image per class, say)
// are stored once, which keeps notebooks small.
func (m *EmbeddingMap) thumbnailURIs() (uris []string, index []int, err error) {
	uris, index = []string{}, []int{}
	if m.Thumbnails == nil {
		return uris, index, nil
	}
	seen := map[string]int{}
	for i, img := range m.Thumbnails {
		if img == nil || isNilPointer(img) || img.Bounds().Empty() {
			index = append(index, -1)
			continue
		}
		data, err := encodePNG(shrink(img, maxThumbSide))
		if err != nil {
			return nil, nil, fmt.Errorf("display: EmbeddingMap: thumbnail %d: %w", i, err)
		}
		uri := "data:image/png;base64," + base64.StdEncoding.EncodeToString(data)
		k, ok := seen[uri]
		if !ok {
			k = len(uris)
			seen[uri] = k
			uris = append(uris, uri)
		}
		index = append(index, k)
	}
	return uris, index, nil
}

// shrink scales img down so its longer side is at most side pixels.
func shrink(img image.Image, side int) image.Image {
	r := img.Bounds()
	long := max(r.Dx(), r.Dy())
	if long <= side {
		return img
	}
	w, h := r.Dx()*side/long, r.Dy()*side/long
	dst := image.NewRGBA(image.Rect(0, 0, max(w, 1), max(h, 1)))
	xdraw.ApproxBiLinear.Scale(dst, dst.Bounds(), img, r, xdraw.Src, nil)
	return dst
}

// mapScript replaces the static image with the interactive view. @ID@,
// @DATA@ (mapPoints), @W@ and @H@ are replaced with the container's id,
// the points and the view's size.
const mapScript = `(function () {
  // Find the map: JupyterLab runs this script in place (currentScript is
  // inside the map); classic Notebook evaluates it elsewhere after the
  // output is in the page; a host may also attach the output later.
  var cs = document.currentScript;
  var root = cs && cs.closest ? cs.closest(".gossl-embedding-map") : null;
  root = root || document.getElementById("@ID@");
  if (root) { start(root); return; }
  var tries = 0, timer = setInterval(function () {
    var r = document.getElementById("@ID@");
    if (r || ++tries > 100) { clearInterval(timer); if (r) { start(r); } }
  }, 100);

function start(root) {
  if (root.getAttribute("data-ready")) { return; }
  root.setAttribute("data-ready", "1");
  var d = @DATA@, W = @W@, H = @H@, NS = "http://www.w3.org/2000/svg";
  var svg = document.createElementNS(NS, "svg");
  svg.setAttribute("width", W); svg.setAttribute("height", H);
  svg.setAttribute("viewBox", "0 0 " + W + " " + H);
  svg.setAttribute("class", "gm-view-svg");
  svg.style.cssText = "border:1px solid #ccc;background:#fff;cursor:grab;user-select:none;display:block";
  var view = document.createElementNS(NS, "g");
  view.setAttribute("class", "gm-view");
  svg.appendChild(view);
  var points = [];
  for (var i = 0; i < d.x.length; i++) {
    var c = document.createElementNS(NS, "circle");
    c.setAttribute("class", "gm-point");
    c.setAttribute("cx", d.x[i]); c.setAttribute("cy", d.y[i]); c.setAttribute("r", 3);
    c.setAttribute("fill", d.colours[d.c[i]]); c.setAttribute("fill-opacity", "0.8");
    c.setAttribute("data-i", i);
    view.appendChild(c);
    points.push(c);
  }
  var legend = document.createElement("div");
  legend.className = "gm-legend";
  legend.style.cssText = "display:flex;flex-wrap:wrap;gap:4px 12px;max-width:" + W + "px;margin-top:4px";
  var tip = document.createElement("div");
  tip.className = "gm-tip";
  tip.style.cssText = "position:absolute;display:none;pointer-events:none;background:#fff;border:1px solid #888;padding:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)";
  var img = root.querySelector(".gm-static");
  if (img) { img.parentNode.removeChild(img); }
  root.appendChild(svg); root.appendChild(legend); root.appendChild(tip);
  var tx = 0, ty = 0, s = 1, drag = null;
  function apply() {
    view.setAttribute("transform", "translate(" + tx + "," + ty + ") scale(" + s + ")");
    var r = 3 / Math.sqrt(s);
    for (var i = 0; i < points.length; i++) { points[i].setAttribute("r", r); }
  }
  function local(ev) {
    var b = svg.getBoundingClientRect();
    return [(ev.clientX - b.left) * W / b.width, (ev.clientY - b.top) * H / b.height];
  }
  svg.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var p = local(ev), f = ev.deltaY < 0 ? 1.2 : 1 / 1.2;
    tx = p[0] - (p[0] - tx) * f; ty = p[1] - (p[1] - ty) * f; s *= f;
    apply();
  }, {passive: false});
  svg.addEventListener("mousedown", function (ev) {
    drag = {p: local(ev), tx: tx, ty: ty}; svg.style.cursor = "grabbing";
  });
  window.addEventListener("mousemove", function (ev) {
    if (!drag) { return; }
    var p = local(ev);
    tx = drag.tx + p[0] - drag.p[0]; ty = drag.ty + p[1] - drag.p[1];
    apply();
  });
  window.addEventListener("mouseup", function () { drag = null; svg.style.cursor = "grab"; });
  svg.addEventListener("dblclick", function () { tx = 0; ty = 0; s = 1; apply(); });
  svg.addEventListener("mouseover", function (ev) {
    var c = ev.target;
    if (!c.classList || !c.classList.contains("gm-point")) { return; }
    var i = +c.getAttribute("data-i");
    tip.textContent = "";
    var t = i < d.thumbIndex.length ? d.thumbIndex[i] : -1;
    if (t >= 0) {
      var im = document.createElement("img");
      im.src = d.thumbs[t];
      im.style.display = "block";
      im.style.imageRendering = "pixelated";
      im.style.minWidth = "64px";
      tip.appendChild(im);
    }
    var cap = document.createElement("div");
    cap.textContent = d.names[d.c[i]] + " (#" + i + ")";
    tip.appendChild(cap);
    var b = root.getBoundingClientRect();
    tip.style.left = (ev.clientX - b.left + 12) + "px";
    tip.style.top = (ev.clientY - b.top + 12) + "px";
    tip.style.display = "block";
  });
  svg.addEventListener("mouseout", function (ev) {
    if (ev.target.classList && ev.target.classList.contains("gm-point")) { tip.style.display = "none"; }
  });
  d.names.forEach(function (name, k) {
    var e = document.createElement("span");
    e.className = "gm-class";
    e.style.cursor = "pointer";
    var dot = document.createElement("span");
    dot.style.cssText = "display:inline-block;width:10px;height:10px;border-radius:5px;margin-right:4px;background:" + d.colours[k];
    e.appendChild(dot);
    e.appendChild(document.createTextNode(name));
    e.addEventListener("click", function () {
      var hide = e.style.opacity !== "0.4";
      e.style.opacity = hide ? "0.4" : "1";
      for (var i = 0; i < points.length; i++) {
        if (d.c[i] === k) { points[i].style.display = hide ? "none" : ""; }
      }
    });
    legend.appendChild(e);
  });
}
})();`
