// The map: the day's customers, the rounds with their stops, and the couriers' last
// positions. Markers are updated in place, so the live view never redraws the map.

import { html } from "../lib/html.js";
import { BAD, NO_ROUND, ORDER_STATUS, STOP_KIND, STOP_STATUS } from "./labels.js";
import { colourOf, hm, km, num, orderCourier, state, unassignedIds } from "./state.js";

let map = null;
let layers = null;
let on = { round() {}, order() {} };

/**
 * The map in `el`, once; `onRound(courierId)` runs when a round's line or stop is
 * clicked, `onOrder(orderId)` when a customer's point is.
 */
export function showMap(el, { onRound, onOrder }) {
  if (!map) {
    on = { round: onRound, order: onOrder };
    map = Douai.map(el);
    map.options.zoomSnap = 0.25;  // fit the day closely, not to the next whole zoom
    map.setView([50.37, 3.08], 14);
    layers = {
      orders: L.layerGroup().addTo(map),
      rounds: L.layerGroup().addTo(map),
      stops: L.layerGroup().addTo(map),
      positions: L.layerGroup().addTo(map),
      orderMarkers: new Map(),
      roundLines: new Map(),
      stopMarkers: new Map(),
      positionMarkers: new Map(),
    };
  }
  map.invalidateSize();
}

/** Fit the map to the day once (later refreshes keep the dispatcher's zoom). */
export function fit() {
  if (state.fitted) return;
  const pts = state.orders.map((o) => [o.customer_lat, o.customer_lon]);
  for (const r of state.plan?.rounds || []) {
    for (const s of r.stops) pts.push([s.lat, s.lon]);
  }
  if (!pts.length) return;
  map.fitBounds(L.latLngBounds(pts), { padding: [24, 24], maxZoom: 16 });
  state.fitted = true;
}

/** The customers' points, updated in place. */
export function drawOrders() {
  const where = orderCourier();
  const left = unassignedIds();
  const keep = new Set();
  for (const o of state.orders) {
    keep.add(o.order_id);
    const courier = where.get(o.order_id);
    const off = left.has(o.order_id);
    const style = {
      radius: off ? 8 : 6, weight: off ? 3 : 2, color: off ? BAD : "#111111",
      fillColor: courier ? colourOf(courier).colour : NO_ROUND, fillOpacity: 0.95,
      dashArray: off ? "3 3" : null,
    };
    const round = courier ? `tournée ${courier}` : (off ? "non affectée" : "pas encore planifiée");
    const tip = String(html`<strong>${o.order_id}</strong> · ${ORDER_STATUS[o.status] || o.status}<br>${
      o.shop_id || "dépôt"} · ${o.deliver_from}–${o.deliver_to} · ${num(o.weight_kg)} kg<br>${round}`);
    let m = layers.orderMarkers.get(o.order_id);
    if (!m) {
      m = L.circleMarker([o.customer_lat, o.customer_lon], style).addTo(layers.orders);
      m.bindTooltip(tip);
      m.on("click", () => on.order(o.order_id));
      layers.orderMarkers.set(o.order_id, m);
    } else {
      m.setStyle(style);
      m.setTooltipContent(tip);
      const at = m.getLatLng();
      if (at.lat !== o.customer_lat || at.lng !== o.customer_lon) m.setLatLng([o.customer_lat, o.customer_lon]);
    }
  }
  for (const [id, m] of layers.orderMarkers) {
    if (!keep.has(id)) {
      layers.orders.removeLayer(m);
      layers.orderMarkers.delete(id);
    }
  }
  styleSelection();
}

function lineOf(r) {
  const coords = r.geometry?.coordinates;
  if (coords && coords.length > 1) return Douai.latlngs(coords);
  return r.stops.map((s) => [s.lat, s.lon]);  // no street path kept: straight between stops
}

/** The plan's rounds and stops, drawn again from scratch. */
export function drawRounds() {
  layers.rounds.clearLayers();
  layers.stops.clearLayers();
  layers.roundLines = new Map();
  layers.stopMarkers = new Map();
  const depots = new Set();
  for (const r of state.plan?.rounds || []) {
    const { colour, dash } = colourOf(r.courier_id);
    const line = L.polyline(lineOf(r), { color: colour, weight: 5, opacity: 0.9, dashArray: dash });
    line.bindTooltip(String(html`${r.courier_id} — ${km(r.distance_m)}, ${hm(r.start)}–${hm(r.end)}`), { sticky: true });
    line.on("click", () => on.round(r.courier_id));
    line.addTo(layers.rounds);
    layers.roundLines.set(r.courier_id, line);
    for (const s of r.stops) {
      if (s.kind === "start" || s.kind === "end") {
        const key = `${s.lat},${s.lon}`;
        if (!depots.has(key)) {
          depots.add(key);
          L.marker([s.lat, s.lon], {
            icon: L.divIcon({ className: "depot-pin", html: String(html`<span>D</span>`), iconSize: [26, 26] }),
            keyboard: false, title: "Dépôt (départ et retour)",
          }).addTo(layers.stops);
        }
        continue;
      }
      const m = L.marker([s.lat, s.lon], { icon: stopIcon(s, colour), keyboard: false, riseOnHover: true });
      m.bindTooltip(() => stopTip(r.courier_id, m.stop));
      m.on("click", () => on.round(r.courier_id));
      m.stop = s;
      m.addTo(layers.stops);
      layers.stopMarkers.set(s.stop_id, m);
    }
  }
  styleSelection();
}

function stopIcon(s, colour) {
  const shape = s.kind === "pickup" ? "pickup" : "delivery";
  return L.divIcon({
    className: `stop-pin ${shape} st-${s.status || "pending"}`,
    html: String(html`<span style="border-color:${colour}">${s.seq}</span>`),
    iconSize: [24, 24],
  });
}

function stopTip(courierId, s) {
  const kind = STOP_KIND[s.kind] || s.kind;
  return String(html`<strong>${courierId} · arrêt ${s.seq}</strong><br>${kind}${s.shop_id ? html` chez ${s.shop_id}` : ""} :
    ${s.order_ids.join(", ")}<br>arrivée ${hm(s.arrival)} · ${STOP_STATUS[s.status] || s.status || ""}`);
}

/** The stops of the same rounds with new statuses: restyle the pins that changed. */
export function restyleStops() {
  for (const r of state.plan?.rounds || []) {
    for (const s of r.stops) {
      const m = layers.stopMarkers.get(s.stop_id);
      if (!m) continue;
      if (m.stop.status !== s.status) m.setIcon(stopIcon(s, colourOf(r.courier_id).colour));
      m.stop = s;
    }
  }
  styleSelection();
}

/** The selected round in front, the others faded (all shown when none is selected). */
export function styleSelection() {
  const sel = state.selected;
  for (const [courier, line] of layers.roundLines) {
    const shown = !sel || courier === sel;
    line.setStyle({ opacity: shown ? 0.9 : 0.18, weight: courier === sel ? 8 : 5 });
    if (courier === sel) line.bringToFront();
  }
  const roundOf = new Map();
  for (const r of state.plan?.rounds || []) for (const s of r.stops) roundOf.set(s.stop_id, r.courier_id);
  for (const [stopId, m] of layers.stopMarkers) {
    // Pins of other rounds fade by their ring and size, not their opacity: their
    // numbers stay readable (contrast) while the selected round stands out.
    m.getElement()?.classList.toggle("faded", Boolean(sel) && roundOf.get(stopId) !== sel);
    m.setZIndexOffset(roundOf.get(stopId) === sel ? 1000 : 0);
  }
  const where = orderCourier();
  for (const [orderId, m] of layers.orderMarkers) {
    const shown = !sel || !where.has(orderId) || where.get(orderId) === sel;
    m.setStyle({ opacity: shown ? 1 : 0.25, fillOpacity: shown ? 0.95 : 0.2 });
  }
}

let pin = null;
let onPin = null;

/**
 * A pin the dispatcher drags (or puts by clicking the map) to where a customer really
 * is; `onMove([lat, lon])` runs at each new place. `dropPin(null)` removes it.
 */
export function dropPin(latlng, onMove) {
  if (pin) {
    map.removeLayer(pin);
    map.off("click", pinClick);
    pin = null;
  }
  map.getContainer().classList.toggle("placing", Boolean(latlng));
  if (!latlng) return;
  onPin = onMove;
  pin = L.marker(latlng, {
    draggable: true, autoPan: true, zIndexOffset: 3000, title: "Nouvel emplacement du client",
    icon: L.divIcon({ className: "place-pin", html: "<span></span>", iconSize: [28, 28], iconAnchor: [14, 28] }),
  }).addTo(map);
  pin.on("dragend", () => onPin([pin.getLatLng().lat, pin.getLatLng().lng]));
  map.on("click", pinClick);
  map.panTo(latlng, { animate: false });
}

function pinClick(ev) {
  pin.setLatLng(ev.latlng);
  onPin([ev.latlng.lat, ev.latlng.lng]);
}

/** The couriers' last positions, moved in place. */
export function drawPositions(positions) {
  const keep = new Set();
  for (const pos of positions) {
    keep.add(pos.courier_id);
    const colour = state.colours.has(pos.courier_id) ? colourOf(pos.courier_id).colour : "#111111";
    const at = String(pos.at).slice(11, 16);
    const pin = String(html`<span class="courier-pin"><i style="background:${colour}"></i>${pos.courier_id} ${at}</span>`);
    const icon = () => L.divIcon({ className: "courier-marker", html: pin, iconSize: null, iconAnchor: [8, 8] });
    let m = layers.positionMarkers.get(pos.courier_id);
    if (!m) {
      m = L.marker([pos.lat, pos.lon], {
        icon: icon(), zIndexOffset: 2000, keyboard: false, title: `${pos.courier_id}, position à ${at}`,
      }).addTo(layers.positions);
      m.pin = pin;
      layers.positionMarkers.set(pos.courier_id, m);
    } else {
      m.setLatLng([pos.lat, pos.lon]);
      if (m.pin !== pin) {
        m.setIcon(icon());
        m.pin = pin;
      }
    }
  }
  for (const [id, m] of layers.positionMarkers) {
    if (!keep.has(id)) {
      layers.positions.removeLayer(m);
      layers.positionMarkers.delete(id);
    }
  }
}
