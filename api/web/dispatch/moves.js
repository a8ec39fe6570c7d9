// Moving an order to another courier: the form, the request, and the plan followed
// until the worker applied or refused the change; the list of the plan's changes.

import { html, render, renderChanged } from "../lib/html.js";
import { CHANGE_STATUS, MODE, MOVABLE } from "./labels.js";
import {
  $, ApiError, POLL_MS, api, canMove, cmp, follow, handle, orderCourier, refreshOrders, refused,
  retryOffline, setPlan, state,
} from "./state.js";

/** The couriers an order may go to: the plan's couriers, else every courier. */
function moveTargets() {
  const ids = new Set(state.plan?.settings?.couriers || state.couriers.map((c) => c.courier_id));
  for (const r of state.plan?.rounds || []) ids.add(r.courier_id);
  return [...ids].sort(cmp);
}

export function renderMoveForm() {
  const orderSel = $("#move-order");
  const courierSel = $("#move-courier");
  const keepOrder = orderSel.value;
  const keepCourier = courierSel.value;
  const where = orderCourier();
  const movable = state.orders.filter((o) => MOVABLE.has(o.status)).sort((a, b) => cmp(a.order_id, b.order_id));
  const none = html`<option value="">— choisir —</option>`;
  render(orderSel, [none, movable.map((o) =>
    html`<option value="${o.order_id}">${o.order_id} — ${where.get(o.order_id) || "non affectée"}</option>`)]);
  const modes = new Map(state.couriers.map((c) => [c.courier_id, c.mode]));
  render(courierSel, [none, moveTargets().map((c) =>
    html`<option value="${c}">${c}${modes.has(c) ? ` (${MODE[modes.get(c)] || modes.get(c)})` : ""}</option>`)]);
  if ([...orderSel.options].some((o) => o.value === keepOrder)) orderSel.value = keepOrder;
  if ([...courierSel.options].some((o) => o.value === keepCourier)) courierSel.value = keepCourier;
  $("#move-button").disabled = !canMove();
}

/** Choose `orderId` in the form (from the table, the map or a round's stops). */
export function pickOrder(orderId) {
  const sel = $("#move-order");
  if (![...sel.options].some((o) => o.value === orderId)) return;
  sel.value = orderId;
  $("#move-msg").textContent = `${orderId} choisie : indiquez le coursier qui la prend.`;
  $("#move-panel").scrollIntoView({ block: "nearest" });
  $("#move-courier").focus();
}

export async function requestMove(ev) {
  ev.preventDefault();
  const p = state.plan;
  const orderId = $("#move-order").value;
  const courierId = $("#move-courier").value;
  const msg = $("#move-msg");
  if (!p || !canMove()) return;
  if (!orderId || !courierId) {
    render(msg, html`<span class="error">Choisissez une commande et un coursier.</span>`);
    return;
  }
  const gen = state.generation;
  $("#move-button").disabled = true;
  try {
    const change = await api("POST", `/api/plans/${p.id}/moves`, { order_id: orderId, courier_id: courierId });
    if (gen !== state.generation) return;
    p.changes = [...(p.changes || []), change];
    renderChanges();
    msg.textContent = `Déplacement de ${orderId} vers ${courierId} demandé : en attente du calculateur…`;
    followChanges(p.id, gen);
  } catch (err) {
    if (err instanceof ApiError && !refused(err)) {
      render(msg, html`<span class="error">Déplacement refusé : ${err.message}</span>`);
    } else {
      handle(err, "Déplacement");
    }
  } finally {
    $("#move-button").disabled = !canMove();
  }
}

const queued = (c) => c.status === "queued";

/** Poll the plan while a change is queued; redraw once the worker applied it. */
function followChanges(planId, gen) {
  follow("moves", async () => {
    if (!state.plan || state.plan.id !== planId) return null;
    const p = await api("GET", `/api/plans/${planId}?geometry=false`);
    if (gen !== state.generation) return null;
    const before = new Map((state.plan.changes || []).map((c) => [c.change_id, c.status]));
    const settled = p.changes.filter((c) => before.get(c.change_id) === "queued" && !queued(c));
    // Redraw from the whole plan when its revision moved or a change settled (a
    // settled change is always redrawn, whatever revision the page last saw).
    if (p.revision !== state.plan.revision || settled.length) {
      const full = await api("GET", `/api/plans/${planId}`);
      if (gen !== state.generation) return null;
      setPlan(full);
      await refreshOrders(gen);
    } else {
      state.plan.changes = p.changes;
      renderChanges();
    }
    for (const c of settled) {
      const what = c.kind === "absence" ? `Absence de ${c.courier_id || ""}` : `Déplacement de ${c.order_id || ""}`;
      const done = c.kind === "absence" ? "appliquée" : "appliqué";
      const no = c.kind === "absence" ? "refusée" : "refusé";
      render($("#move-msg"), c.status === "applied"
        ? html`<span class="ok">${what} ${done} : ${c.detail || ""}</span>`
        : html`<span class="error">${what} ${no} : ${c.detail || ""}</span>`);
    }
    return p;
  }, {
    delay: POLL_MS,
    every: POLL_MS,
    until: (p) => !p || !p.changes.some(queued),
    onError: retryOffline("Suivi du déplacement", 3 * POLL_MS),
  });
}

/** Declare the courier of the form absent from its time (empty: now). */
export async function requestAbsence(ev) {
  ev.preventDefault();
  const form = ev.target;
  const p = state.plan;
  const courierId = form.dataset.courier;
  const from = form.querySelector("input[type=time]").value;
  const msg = $("#move-msg");
  if (!p || !canMove() || !courierId) return;
  const gen = state.generation;
  form.querySelector("button").disabled = true;
  try {
    const change = await api("POST", `/api/plans/${p.id}/absences`,
      from ? { courier_id: courierId, from } : { courier_id: courierId });
    if (gen !== state.generation) return;
    p.changes = [...(p.changes || []), change];
    renderChanges();
    msg.textContent = `Absence de ${courierId} demandée : en attente du calculateur…`;
    followChanges(p.id, gen);
  } catch (err) {
    if (err instanceof ApiError && !refused(err)) {
      render(msg, html`<span class="error">Absence refusée : ${err.message}</span>`);
    } else {
      handle(err, "Absence");
    }
  } finally {
    form.querySelector("button").disabled = false;
  }
}

function changeItem(c) {
  const what = c.kind === "move" ? html`Déplacement de ${c.order_id} vers ${c.courier_id}`
    : c.kind === "absence" ? html`Absence de ${c.courier_id}` : "Commandes tardives";
  return html`<li class="change ch-${c.status}" data-change="${c.change_id}" data-status="${c.status}">
    ${what} : <strong>${CHANGE_STATUS[c.status] || c.status}</strong>${c.detail ? ` — ${c.detail}` : ""}</li>`;
}

/** The plan's changes, newest first. */
export function renderChanges() {
  const list = [...(state.plan?.changes || [])].reverse();
  renderChanged($("#changes"), list.length ? list.map(changeItem) : html`<li class="muted">Aucune modification.</li>`);
}
