// "Mes commandes": the shop's orders of today and the 6 days after, a card each, grouped
// by day; per open order "Colis prêt", "Pas prêt, prêt à…" (a time), "Étiquette" and
// "Annuler" (asked again before it is done). The list is read again after each action.

import { html, renderChanged } from "../lib/html.js";
import { printLabel } from "./label.js";
import { toggleProof } from "./proof.js";
import {
  $, ApiError, api, capital, dayWords, failure, handle, hm, orderPath, refreshOrders, state,
} from "./state.js";
import { OPEN, ORDER_STATUS, fieldSentence } from "./words.js";

/** Per order: the last action's outcome shown in its card ({id, text, ok}). */
let outcome = null;
/** The order whose action is in flight (its buttons are disabled meanwhile). */
let busy = null;

const slotOf = (o) => `${hm(o.deliver_from)}–${hm(o.deliver_to)}`;

function readyText(o) {
  if (!o.ready_at) return "pas encore indiqué";
  if (hm(o.ready_at) === "00:00") return "oui";
  return `à ${hm(o.ready_at)}`;
}

function laterEditor(o) {
  const error = state.editing.error;
  return html`<form class="editor later-form" data-order="${o.order_id}" novalidate>
    <label for="later-at">Le colis de la commande ${o.shop_ref} sera prêt à :</label>
    <input id="later-at" type="time" required aria-describedby="later-error"
      ${error ? html`aria-invalid="true"` : ""}>
    <p id="later-error" class="field-error" ${error ? "" : html`hidden`}>${error || ""}</p>
    <div class="row">
      <button type="submit" class="primary" ${busy ? html`disabled` : ""}>Valider l'heure</button>
      <button type="button" class="close-editor">Retour</button>
    </div>
  </form>`;
}

function cancelQuestion(o) {
  return html`<div class="editor" role="group" aria-labelledby="cancel-question">
    <p id="cancel-question" tabindex="-1">Annuler la commande ${o.shop_ref} ? Elle ne sera pas livrée.</p>
    <div class="row">
      <button type="button" class="danger confirm-cancel" data-order="${o.order_id}"
        ${busy ? html`disabled` : ""}>Oui, annuler la commande</button>
      <button type="button" class="close-editor">Non, la garder</button>
    </div>
  </div>`;
}

function actions(o) {
  const off = busy === o.order_id ? html`disabled` : "";
  const open = state.editing?.id === o.order_id ? state.editing.kind : null;
  const ref = html`<span class="visually-hidden"> (commande ${o.shop_ref})</span>`;
  return html`<div class="actions">
      <button type="button" class="primary ready-now" data-order="${o.order_id}" ${off}>Colis prêt${ref}</button>
      <button type="button" class="later" data-order="${o.order_id}" aria-expanded="${open === "later"}" ${off}>Pas prêt, prêt à…${ref}</button>
      <button type="button" class="print-label" data-order="${o.order_id}" ${off}>Étiquette${ref}</button>
      <button type="button" class="cancel" data-order="${o.order_id}" aria-expanded="${open === "cancel"}" ${off}>Annuler${ref}</button>
    </div>
    ${open === "later" ? laterEditor(o) : ""}
    ${open === "cancel" ? cancelQuestion(o) : ""}`;
}

function orderCard(o) {
  const said = outcome?.id === o.order_id ? outcome : null;
  return html`<li class="order" data-order="${o.order_id}" data-ref="${o.shop_ref}" data-status="${o.status}" tabindex="-1">
    <div class="order-head">
      <strong class="ref">Commande ${o.shop_ref}</strong>
      <span class="status os-${o.status}">${ORDER_STATUS[o.status] || o.status}</span>
    </div>
    <dl class="facts">
      <div><dt>Client</dt><dd class="customer">${o.customer_name || "—"}</dd></div>
      <div><dt>Adresse</dt><dd class="address">${o.customer_address || o.address_label || "—"}</dd></div>
      <div><dt>Créneau</dt><dd class="slot">${slotOf(o)}</dd></div>
      <div><dt>Colis prêt</dt><dd class="ready">${readyText(o)}</dd></div>
      ${o.tracking_url ? html`<div><dt>Suivi client</dt><dd class="tracking"><a href="${o.tracking_url}"
        target="_blank" rel="noopener">Lien de suivi<span class="visually-hidden"> de la commande ${o.shop_ref}</span></a></dd></div>` : ""}
    </dl>
    ${OPEN.has(o.status) ? actions(o) : ""}
    ${o.status === "delivered" ? html`<div class="actions"><button type="button" class="show-proof" data-order="${o.order_id}"
      aria-expanded="false">Preuve de remise<span class="visually-hidden"> (commande ${o.shop_ref})</span></button></div>
      <div class="proof" data-proof="${o.order_id}" hidden></div>` : ""}
    ${said ? html`<p class="msg ${said.ok ? "ok" : "bad"}">${said.text}</p>` : ""}
  </li>`;
}

function byDay(orders) {
  const days = new Map();
  const sorted = [...orders].sort((a, b) => a.date.localeCompare(b.date)
    || hm(a.deliver_from).localeCompare(hm(b.deliver_from))
    || a.shop_ref.localeCompare(b.shop_ref, "fr", { numeric: true }));
  for (const o of sorted) {
    if (!days.has(o.date)) days.set(o.date, []);
    days.get(o.date).push(o);
  }
  return days;
}

export function renderOrders() {
  const typed = $("#later-at")?.value;
  const orders = state.orders;
  const open = orders.filter((o) => OPEN.has(o.status)).length;
  $("#orders-count").textContent = orders.length ? `(${orders.length}, dont ${open} à préparer)` : "";
  const groups = [...byDay(orders)].map(([day, list]) => html`<section class="day-group" aria-labelledby="day-${day}">
      <h3 id="day-${day}">${capital(dayWords(day))} <span class="muted">(${list.length})</span></h3>
      <ul class="orders">${list.map(orderCard)}</ul>
    </section>`);
  renderChanged($("#orders-list"), groups.length ? groups
    : html`<p class="muted">Aucune commande aujourd'hui ni les 6 jours suivants.</p>`);
  const input = $("#later-at");
  if (input && typed && !input.value) input.value = typed;
}

/** Say `text` to screen readers (the card shows it too). */
function announce(text) {
  $("#orders-msg").textContent = text;
}

const find = (id) => state.orders.find((o) => o.order_id === id);

function focusCard(id, inner) {
  const card = document.querySelector(`#orders-list li[data-order="${CSS.escape(id)}"]`);
  const target = (inner && card?.querySelector(inner)) || card;
  target?.focus();
}

/** Run an order's action, then read the list again and say how it went in its card. */
async function act(id, call, said) {
  busy = id;
  outcome = null;
  renderOrders();
  let focus = null;
  try {
    const out = await call();
    state.editing = null;
    outcome = { id, text: said(out), ok: true };
  } catch (err) {
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      busy = null;
      handle(err);
      return;
    }
    if (err instanceof ApiError && err.status === 422 && state.editing?.kind === "later") {
      state.editing.error = err.body?.message || fieldSentence("at");
      focus = "#later-at";
    } else {
      state.editing = null;
      outcome = { id, text: `Commande ${find(id)?.shop_ref || id} : ${failure(err)}`, ok: false };
    }
  } finally {
    busy = null;
  }
  announce(outcome?.text || state.editing?.error || "");
  try {
    await refreshOrders();
  } catch (err) {
    handle(err, "Mise à jour de la liste");
  }
  renderOrders();
  focusCard(id, focus);
}

function readyNow(id) {
  const ref = find(id)?.shop_ref || id;
  act(id, () => api("POST", orderPath(id, "ready"), {}),
    (o) => `Commande ${ref} : colis prêt${o.ready_at && hm(o.ready_at) !== "00:00" ? ` à ${hm(o.ready_at)}` : ""}.`);
}

function readyLater(ev) {
  ev.preventDefault();
  const form = ev.target;
  const id = form.dataset.order;
  const at = form.querySelector("#later-at").value;
  if (!/^\d{2}:\d{2}/.test(at)) {
    state.editing = { id, kind: "later", error: "Indiquez une heure, par exemple 11:30." };
    renderOrders();
    $("#later-at").focus();
    return;
  }
  const ref = find(id)?.shop_ref || id;
  act(id, () => api("POST", orderPath(id, "ready"), { at: at.slice(0, 5) }),
    (o) => `Commande ${ref} : colis prêt à ${hm(o.ready_at)}.`);
}

function cancel(id) {
  const ref = find(id)?.shop_ref || id;
  act(id, () => api("POST", orderPath(id, "cancel"), { reason: "annulée par le commerce" }),
    () => `Commande ${ref} annulée.`);
}

function ask(id, kind) {
  const same = state.editing?.id === id && state.editing.kind === kind;
  state.editing = same ? null : { id, kind, error: null };
  outcome = null;
  renderOrders();
  if (same) focusCard(id, kind === "later" ? ".later" : ".cancel");
  else focusCard(id, kind === "later" ? "#later-at" : "#cancel-question");
}

function closeEditor() {
  const { id, kind } = state.editing || {};
  state.editing = null;
  renderOrders();
  if (id) focusCard(id, kind === "later" ? ".later" : ".cancel");
}

export function wireOrders() {
  const list = $("#orders-list");
  list.addEventListener("click", (ev) => {
    const button = ev.target.closest("button");
    if (!button || button.disabled) return;
    const id = button.dataset.order;
    if (button.classList.contains("ready-now")) readyNow(id);
    else if (button.classList.contains("later")) ask(id, "later");
    else if (button.classList.contains("cancel")) ask(id, "cancel");
    else if (button.classList.contains("confirm-cancel")) cancel(id);
    else if (button.classList.contains("close-editor")) closeEditor();
    else if (button.classList.contains("print-label")) printLabel(id, button);
    else if (button.classList.contains("show-proof")) {
      toggleProof(id, list.querySelector(`[data-proof="${CSS.escape(id)}"]`), button);
    }
  });
  list.addEventListener("submit", (ev) => {
    if (ev.target.closest(".later-form")) readyLater(ev);
  });
  list.addEventListener("keydown", (ev) => {
    if (ev.key === "Escape" && state.editing) closeEditor();
  });
}

/** Forget the cards' messages and open questions (a new sign-in). */
export function resetOrders() {
  outcome = null;
  busy = null;
  state.editing = null;
  state.orders = [];
}
