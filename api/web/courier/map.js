// The round on the map: the street line and one numbered pin a stop (the depot once),
// the next stop bigger. Fitted once; later draws keep the courier's pan and zoom.
// L (Leaflet) comes from the classic script loaded before the modules.

import { html } from "../lib/html.js";
import { FINISHED, placeText } from "./round.js";
import { $, state } from "./state.js";

export function renderMap(round, numbers) {
  if (!state.map) {
    state.map = Douai.map($("map"));
    state.layers = L.layerGroup().addTo(state.map);
  }
  state.layers.clearLayers();
  const geometry = round.geometry && round.geometry.geometry;
  if (geometry) {
    L.geoJSON(geometry, { style: { color: "#0b4f9c", weight: 5, opacity: 0.9 } }).addTo(state.layers);
  }
  const points = [];
  for (const s of round.stops) {
    if (s.kind === "end") continue;  // the end is the depot, drawn with the start
    const isNext = round.next && s.stop_id === round.next.stop_id;
    const cls = `pin ${s.kind} ${isNext ? "next" : ""} ${FINISHED.has(s.status) ? "finished" : ""}`;
    const size = isNext ? 40 : 30;
    const icon = L.divIcon({ className: cls, html: String(html`<span>${numbers.get(s.stop_id)}</span>`), iconSize: [size, size] });
    L.marker([s.lat, s.lon], { icon, zIndexOffset: isNext ? 1000 : 0, keyboard: false,
      title: `${numbers.get(s.stop_id)} · ${placeText(s)}` }).addTo(state.layers);
    points.push([s.lat, s.lon]);
  }
  if (geometry && geometry.coordinates) points.push(...Douai.latlngs(geometry.coordinates));
  // Fit once: later renders keep the courier's own pan and zoom.
  if (!state.fitted && points.length) {
    state.map.fitBounds(points, { padding: [20, 20] });
    state.fitted = true;
  }
  state.map.invalidateSize();
}
