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
// UMAP). It renders as self-contained HTML (inline SVG and script, nothing
// fetched from the network) with zoom (wheel), pan (drag), reset (double
// click), points coloured by label with a legend (click an entry to hide
// its class) and, on hover, the point's label and thumbnail. The same
// bundle carries a static PNG for viewers that do not run scripts.
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

// Render returns text/html (interactive), image/png (static) and
// text/plain.
func (m *EmbeddingMap) Render() Bundle {
	if err := m.Check(); err != nil {
		return errorBundle(err)
	}
	html, err := m.HTML()
	if err != nil {
		return errorBundle(err)
	}
	static := scatterChart(m.Title, m.X, m.Y, m.Labels, m.ClassNames).Render()
	static.Data["text/html"] = html
	static.Data["text/plain"] = m.String()
	delete(static.Data, "image/svg+xml") // the HTML is the vector view
	return static
}

// HTML returns the interactive view on its own.
func (m *EmbeddingMap) HTML() (string, error) {
	if err := m.Check(); err != nil {
		return "", err
	}
	id := newID()
	classes := m.classes()
	colour := map[int]string{}
	for k, c := range classes {
		colour[c] = cssColor(labelColor(k))
	}
	px, py := m.project()
	var b strings.Builder
	fmt.Fprintf(&b, `<div id="%s" class="gossl-embedding-map" style="position:relative;display:inline-block;font-family:sans-serif;font-size:12px">`, id)
	fmt.Fprintf(&b, `<div style="font-weight:bold;margin-bottom:2px">%s</div>`, escapeHTML(m.Title))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" style="border:1px solid #ccc;background:#fff;cursor:grab;user-select:none">`,
		mapWidth, mapHeight, mapWidth, mapHeight)
	b.WriteString(`<g class="gm-view">`)
	for i := range m.X {
		lab := m.label(i)
		fmt.Fprintf(&b, `<circle class="gm-point" cx="%.2f" cy="%.2f" r="3" fill="%s" fill-opacity="0.8" data-i="%d" data-label="%s"/>`,
			px[i], py[i], colour[lab], i, escapeHTML(className(lab, m.ClassNames)))
	}
	b.WriteString(`</g></svg>`)
	b.WriteString(`<div class="gm-legend" style="display:flex;flex-wrap:wrap;gap:4px 12px;max-width:640px;margin-top:4px">`)
	for _, c := range classes {
		fmt.Fprintf(&b, `<span class="gm-class" data-label="%s" style="cursor:pointer"><span style="display:inline-block;width:10px;height:10px;border-radius:5px;background:%s;margin-right:4px"></span>%s</span>`,
			escapeHTML(className(c, m.ClassNames)), colour[c], escapeHTML(className(c, m.ClassNames)))
	}
	b.WriteString(`</div>`)
	b.WriteString(`<div class="gm-tip" style="position:absolute;display:none;pointer-events:none;background:#fff;border:1px solid #888;padding:4px;box-shadow:0 1px 4px rgba(0,0,0,.3)"></div>`)
	uris, index, err := m.thumbnailURIs()
	if err != nil {
		return "", err
	}
	urisJSON, err := json.Marshal(uris)
	if err != nil {
		return "", fmt.Errorf("display: EmbeddingMap: %w", err)
	}
	indexJSON, err := json.Marshal(index)
	if err != nil {
		return "", fmt.Errorf("display: EmbeddingMap: %w", err)
	}
	// </script> cannot appear inside the JSON: data URIs are base64 and
	// encoding/json escapes < and >.
	script := strings.NewReplacer("@ID@", id, "@THUMBS@", string(urisJSON), "@THUMB_INDEX@", string(indexJSON)).Replace(mapScript)
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

// mapScript adds zoom, pan, hover and legend toggling. @ID@, @THUMBS@ and
// @THUMB_INDEX@ are replaced with the container's id, the distinct
// thumbnails and each point's thumbnail index.
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
  var thumbs = @THUMBS@, thumbIndex = @THUMB_INDEX@;
  var svg = root.querySelector("svg");
  var view = root.querySelector(".gm-view");
  var tip = root.querySelector(".gm-tip");
  var points = root.querySelectorAll(".gm-point");
  var tx = 0, ty = 0, s = 1, drag = null;
  function apply() {
    view.setAttribute("transform", "translate(" + tx + "," + ty + ") scale(" + s + ")");
    var r = 3 / Math.sqrt(s);
    for (var i = 0; i < points.length; i++) { points[i].setAttribute("r", r); }
  }
  function local(ev) {
    var b = svg.getBoundingClientRect();
    return [(ev.clientX - b.left) * svg.viewBox.baseVal.width / b.width,
            (ev.clientY - b.top) * svg.viewBox.baseVal.height / b.height];
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
  function show(ev) {
    var c = ev.target;
    if (!c.classList || !c.classList.contains("gm-point")) { return; }
    var i = +c.getAttribute("data-i");
    tip.textContent = "";
    var t = i < thumbIndex.length ? thumbIndex[i] : -1;
    if (t >= 0) {
      var img = document.createElement("img");
      img.src = thumbs[t];
      img.style.display = "block";
      img.style.imageRendering = "pixelated";
      img.style.minWidth = "64px";
      tip.appendChild(img);
    }
    var cap = document.createElement("div");
    cap.textContent = c.getAttribute("data-label") + " (#" + i + ")";
    tip.appendChild(cap);
    var b = root.getBoundingClientRect();
    tip.style.left = (ev.clientX - b.left + 12) + "px";
    tip.style.top = (ev.clientY - b.top + 12) + "px";
    tip.style.display = "block";
  }
  svg.addEventListener("mouseover", show);
  svg.addEventListener("mouseout", function (ev) {
    if (ev.target.classList && ev.target.classList.contains("gm-point")) { tip.style.display = "none"; }
  });
  var entries = root.querySelectorAll(".gm-class");
  for (var k = 0; k < entries.length; k++) {
    entries[k].addEventListener("click", function () {
      var lab = this.getAttribute("data-label"), hide = this.style.opacity !== "0.4";
      this.style.opacity = hide ? "0.4" : "1";
      for (var i = 0; i < points.length; i++) {
        if (points[i].getAttribute("data-label") === lab) { points[i].style.display = hide ? "none" : ""; }
      }
    });
  }
}
})();`
