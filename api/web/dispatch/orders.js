// The day's orders as a table sorted by any column, with the round each one is in, and
// a search over ids, shops, addresses and couriers.

import { html, render } from "../lib/html.js";
import { MOVABLE, ORDER_STATUS, PLACEABLE } from "./labels.js";
import { swatch } from "./rounds.js";
import { $, canMove, cmp, num, orderCourier, state, unassignedIds } from "./state.js";

const LEFT_OUT = "~non affectée";  // sorts after the couriers' ids

function orderRows() {
  const where = orderCourier();
  const left = unassignedIds();
  return state.orders.map((o) => ({
    ...o,
    shop: o.shop_id ? (state.shopNames.get(o.shop_id) || o.shop_id) : "dépôt",
    slot: `${o.deliver_from}–${o.deliver_to}`,
    courier: where.get(o.order_id) || (left.has(o.order_id) ? LEFT_OUT : ""),
  }));
}

/** Lower case without accents, so that "ecole" finds "École". */
const folded = (text) => String(text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

function matches(o, words) {
  const text = folded([o.order_id, o.shop, o.shop_id, o.customer_address, o.courier === LEFT_OUT
    ? "non affectée" : o.courier, ORDER_STATUS[o.status]].join(" "));
  return words.every((w) => text.includes(w));
}

function courierCell(courier) {
  if (courier === LEFT_OUT) return html`<span class="error">non affectée</span>`;
  if (!courier) return html`<span class="muted">—</span>`;
  return html`${swatch(courier)} ${courier}`;
}

function orderRow(o, movable) {
  return html`<tr data-order="${o.order_id}">
    <td><strong>${o.order_id}</strong></td>
    <td><span class="status os-${o.status}">${ORDER_STATUS[o.status] || o.status}</span></td>
    <td>${o.shop_id ? o.shop : html`<span class="muted">dépôt</span>`}</td>
    <td>${o.customer_address || html`<span class="muted">—</span>`}</td>
    <td>${o.slot}</td>
    <td class="num">${num(o.weight_kg)} kg</td>
    <td class="num">${num(o.volume_l)} L</td>
    <td>${courierCell(o.courier)}</td>
    <td class="actions">${movable && MOVABLE.has(o.status)
      ? html`<button type="button" class="small pick-order" data-order="${o.order_id}">Déplacer…</button>` : ""}${
      PLACEABLE.has(o.status) ? html`<button type="button" class="small place-order" data-order="${o.order_id}"
        aria-label="Corriger l'emplacement de ${o.order_id} sur la carte">Emplacement…</button>` : ""}</td>
  </tr>`;
}

export function renderOrders() {
  const { key, dir } = state.sort;
  const words = folded(state.search).split(/\s+/).filter(Boolean);
  const rows = orderRows().filter((o) => matches(o, words))
    .sort((a, b) => dir * cmp(a[key], b[key]) || cmp(a.order_id, b.order_id));
  const movable = canMove();
  $("#orders-count").textContent = words.length
    ? `(${rows.length} sur ${state.orders.length})` : `(${state.orders.length})`;
  for (const th of document.querySelectorAll("#orders th[data-sort]")) {
    th.setAttribute("aria-sort", th.dataset.sort === key ? (dir > 0 ? "ascending" : "descending") : "none");
  }
  const none = state.orders.length ? "Aucune commande ne correspond à la recherche." : "Aucune commande ce jour.";
  render($("#orders tbody"), rows.length ? rows.map((o) => orderRow(o, movable))
    : html`<tr><td colspan="9" class="muted">${none}</td></tr>`);
}

/** Show the orders whose id, shop, address, courier or status contain every word of `text`. */
export function searchOrders(text) {
  state.search = text;
  renderOrders();
}

/** Sort by `key`, or the other way round when it is already the key. */
export function sortOrders(key) {
  state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
  renderOrders();
}
