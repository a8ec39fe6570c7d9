// Correcting where a customer is: the dispatcher puts a pin on the right door (drag it,
// or click the map), then saves. The order moves there, the address's stored answer is
// corrected for every later order, and a published day is re-timed by the worker.

import { html, render } from "../lib/html.js";
import { PLACEABLE } from "./labels.js";
import { dropPin } from "./map.js";
import { $, ApiError, api, handle, refused, setOrders, state } from "./state.js";

let placing = null;  // {orderId, from: [lat, lon], to: [lat, lon] | null}

const metres = (a, b) => {
  const rad = Math.PI / 180;
  const x = (b[1] - a[1]) * rad * Math.cos(((a[0] + b[0]) / 2) * rad);
  const y = (b[0] - a[0]) * rad;
  return Math.round(Math.hypot(x, y) * 6371000);
};

function show() {
  const panel = $("#place-panel");
  panel.hidden = !placing;
  if (!placing) return;
  const o = state.orders.find((x) => x.order_id === placing.orderId);
  const where = o?.customer_address ? html` (${o.customer_address})` : "";
  render($("#place-order"), html`<strong>${placing.orderId}</strong>${where}`);
  $("#place-save").disabled = !placing.to;
  $("#place-msg").textContent = placing.to
    ? `Nouvel emplacement à ${metres(placing.from, placing.to)} m de l'ancien : enregistrez-le, ou déplacez encore l'épingle.`
    : "Faites glisser l'épingle rouge sur la bonne porte, ou cliquez sur la carte à cet endroit.";
}

/** Start placing `orderId`: a draggable pin on its point, the panel open. */
export function startPlacing(orderId) {
  const o = state.orders.find((x) => x.order_id === orderId);
  if (!o || !PLACEABLE.has(o.status)) return;
  placing = { orderId, from: [o.customer_lat, o.customer_lon], to: null };
  dropPin(placing.from, (latlng) => {
    if (!placing) return;
    placing.to = latlng;
    show();
  });
  show();
  $("#place-panel").scrollIntoView({ block: "start" });  // the panel, the map just below
  $("#place-save").focus();
}

export function stopPlacing() {
  placing = null;
  dropPin(null);
  show();
}

/** Save the pin: PATCH the order's location, then show the order where it now is. */
export async function savePlace() {
  if (!placing?.to) return;
  const { orderId, to } = placing;
  const gen = state.generation;
  $("#place-save").disabled = true;
  try {
    const saved = await api("PATCH", `/api/orders/${encodeURIComponent(orderId)}/location`,
      { lon: to[1], lat: to[0] });
    if (gen !== state.generation) return;
    stopPlacing();
    setOrders(state.orders.map((o) => (o.order_id === orderId ? { ...o, ...saved } : o)));
    const later = state.plan?.published ? " Le calculateur recale la tournée publiée." : "";
    $("#place-done").textContent = `Emplacement de ${orderId} enregistré : cette adresse pointera ici pour les prochaines commandes.${later}`;
  } catch (err) {
    if (err instanceof ApiError && !refused(err)) {
      render($("#place-msg"), html`<span class="error">Emplacement refusé : ${err.message}</span>`);
      $("#place-save").disabled = false;
    } else {
      handle(err, "Emplacement");
    }
  }
}
