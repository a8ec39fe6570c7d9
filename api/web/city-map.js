// The city's map of the streets the cargo bikes rode (GET /api/metrics/passages): each
// run of street segments drawn thicker and darker the more passages it had, with a
// legend, and a short text that says the same for those who do not see the map.
"use strict";

window.CityMap = (() => {
  /** Passages classes: at least `min` passages, the line's colour and width. */
  const CLASSES = [
    { share: 0, colour: "#9ecae1", weight: 3 },
    { share: 0.25, colour: "#4292c6", weight: 5 },
    { share: 0.5, colour: "#08519c", weight: 7 },
    { share: 0.75, colour: "#08306b", weight: 9 },
  ];
  let map = null;
  let layer = null;

  /** The classes for a range of passages: thresholds from `lo` to `hi`, distinct. */
  function classes(lo, hi) {
    const out = [];
    for (const c of CLASSES) {
      const min = Math.max(lo, Math.round(lo + (hi - lo) * c.share));
      if (!out.length || min > out[out.length - 1].min) out.push({ ...c, min });
    }
    return out;
  }

  const classOf = (cls, n) => cls.filter((c) => n >= c.min).pop() || cls[0];

  /** Draw `doc` (a FeatureCollection) in `el`; returns what the text alternative says. */
  function show(el, doc) {
    if (!map) {
      map = Douai.map(el);
      map.setView([50.37, 3.08], 14);
    }
    map.invalidateSize();
    if (layer) layer.remove();
    layer = L.layerGroup().addTo(map);
    const features = doc.features || [];
    const counts = features.map((f) => f.properties.passages);
    const lo = counts.length ? Math.min(...counts) : 0;
    const hi = counts.length ? Math.max(...counts) : 0;
    const cls = classes(lo, hi);
    const bounds = [];
    for (const f of features) {
      const c = classOf(cls, f.properties.passages);
      for (const line of f.geometry.coordinates) {
        const pts = Douai.latlngs(line);
        bounds.push(...pts);
        L.polyline(pts, { color: c.colour, weight: c.weight, opacity: 0.9, className: "passages" })
          .bindTooltip(`${Douai.num(f.properties.passages, 0)} passages`)
          .addTo(layer);
      }
    }
    if (bounds.length) map.fitBounds(bounds, { padding: [20, 20] });
    return { count: features.length, lo, hi, classes: cls };
  }

  /** The legend's items: each class from its threshold, as "12 passages ou plus". */
  function legend(facts) {
    return facts.classes.map((c) => `
      <li><span class="swatch" style="background:${c.colour};height:${c.weight}px"></span>
        ${Douai.esc(Douai.num(c.min, 0))} passage${c.min > 1 ? "s" : ""} ou plus</li>`).join("");
  }

  return { show, legend };
})();
