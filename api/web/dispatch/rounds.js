// The rounds panel: one row per courier's round, the stops of the selected round, and
// the orders the plan left out (with the solver's reason).

import { html, join, render, renderChanged } from "../lib/html.js";
import { MODE, REASON, STOP_KIND, STOP_STATUS } from "./labels.js";
import { styleSelection } from "./map.js";
import { $, canMove, clockOf, colourOf, hm, isMovable, km, num, state } from "./state.js";

/** A round's colour and dash as a short line (the key between table and map). */
export function swatch(courierId) {
  const { colour, dash } = colourOf(courierId);
  return html`<svg class="swatch" viewBox="0 0 40 12" aria-hidden="true"><line x1="2" y1="6" x2="38" y2="6"
    stroke="${colour}" stroke-width="5" ${dash ? html`stroke-dasharray="${dash}"` : ""}/></svg>`;
}

export function renderRounds() {
  const rounds = state.plan?.rounds || [];
  const table = $("#rounds");
  const empty = $("#rounds-empty");
  table.hidden = !rounds.length;
  empty.hidden = Boolean(rounds.length);
  if (!state.plan) empty.textContent = "Aucun plan pour ce jour.";
  else if (state.plan.status === "queued" || state.plan.status === "running") empty.textContent = "Calcul en cours…";
  else if (state.plan.status === "failed") empty.textContent = "Le calcul a échoué : aucune tournée.";
  else empty.textContent = "Aucune tournée dans ce plan.";
  render(table.querySelector("tbody"), rounds.map((r) => {
    const sel = r.courier_id === state.selected;
    return html`<tr data-courier="${r.courier_id}" class="${sel ? "selected" : ""}" tabindex="0"
        aria-selected="${sel}" title="Voir les arrêts de ${r.courier_id}">
      <td>${swatch(r.courier_id)}</td>
      <td><strong>${r.courier_id}</strong></td>
      <td>${MODE[r.mode] || r.mode}</td>
      <td class="num">${km(r.distance_m)}</td>
      <td>${hm(r.start)}–${hm(r.end)}</td>
      <td class="num">${r.orders}${lateCount(r) ? html` <span class="late-flag">${lateCount(r)} en retard</span>` : ""}</td>
      <td class="num">${num(r.max_load_kg)} kg / ${num(r.max_load_l)} L</td>
    </tr>`;
  }));
}

/** How many hand-overs of round `r` are now expected after their slot. */
const lateCount = (r) => r.stops.filter((s) => s.late).length;

/** Highlight a round (again: all rounds), in the table, on the map and in the detail. */
export function selectRound(courierId) {
  state.selected = state.selected === courierId ? null : courierId;
  for (const tr of document.querySelectorAll("#rounds tbody tr")) {
    const on = tr.dataset.courier === state.selected;
    tr.classList.toggle("selected", on);
    tr.setAttribute("aria-selected", String(on));
  }
  styleSelection();
  renderRoundDetail();
}

function stopRow(s, movable) {
  const orders = s.order_ids.map((o) => (movable && s.kind === "delivery" && isMovable(o)
    ? html`<button type="button" class="link pick-order" data-order="${o}" title="Choisir ${o} pour la déplacer">${o}</button>`
    : o));
  const last = (s.events || []).at(-1);
  return html`<tr data-stop="${s.stop_id}">
      <td class="num">${s.seq}</td><td>${hm(s.arrival)}${s.expected_arrival && s.expected_arrival !== s.arrival
        ? html`<br><span class="${s.late ? "late-flag" : "muted"}">prévu ${hm(s.expected_arrival)}${
          s.late ? " — en retard sur le créneau" : ""}</span>` : ""}</td>
      <td>${STOP_KIND[s.kind] || s.kind}${s.shop_id ? html` <span class="muted">${s.shop_id}</span>` : ""}</td>
      <td>${orders.length ? join(orders, ", ") : "—"}</td>
      <td class="num">${num(s.load_kg)} kg / ${num(s.load_l)} L</td>
      <td><span class="status st-${s.status || "pending"}">${STOP_STATUS[s.status] || s.status || ""}</span>${
        last ? html` <span class="muted">${String(last.at).slice(11, 16)}</span>` : ""}${
        last && last.reason ? ` — ${last.reason}` : ""}</td>
    </tr>`;
}

/** The stops of the selected round, or how to select one. */
export function renderRoundDetail() {
  const el = $("#round-detail");
  const r = (state.plan?.rounds || []).find((x) => x.courier_id === state.selected);
  if (!r) {
    const any = Boolean(state.plan?.rounds?.length);
    el.hidden = !any;
    renderChanged(el, any ? html`<p class="muted">Cliquez une tournée (ligne du tableau ou trait sur la carte)
      pour voir ses arrêts, leurs heures et leur avancement.</p>` : "");
    return;
  }
  const movable = canMove();
  el.hidden = false;
  renderChanged(el, html`
    <div class="detail-head">
      <h3>${swatch(r.courier_id)} Arrêts de ${r.courier_id}
        <span class="muted">(${MODE[r.mode] || r.mode}, ${km(r.distance_m)}, ${hm(r.start)}–${hm(r.end)})</span></h3>
      <button type="button" class="small" id="unselect">Toutes les tournées</button>
    </div>
    ${r.withdrawn_at
    ? html`<p class="withdrawn"><strong>Retiré(e) de la journée à ${clockOf(r.withdrawn_at)}</strong> :
        les arrêts faits restent, les autres sont confiés à d'autres livreurs.</p>`
    : movable ? html`<form class="absence" id="absence-form" data-courier="${r.courier_id}">
        <label for="absence-from">${r.courier_id} absent(e) à partir de</label>
        <input id="absence-from" type="time" step="60" aria-describedby="absence-help">
        <button type="submit" class="small">Déclarer absent(e)</button>
        <span id="absence-help" class="muted">Heure vide : dès maintenant. Ses arrêts restants vont aux autres livreurs.</span>
      </form>` : ""}
    <table class="stops">
      <thead><tr><th scope="col" class="num">N°</th><th scope="col">Arrivée</th><th scope="col">Arrêt</th>
        <th scope="col">Commandes</th><th scope="col" class="num">Charge au départ</th><th scope="col">Statut</th></tr></thead>
      <tbody>${r.stops.map((s) => stopRow(s, movable))}</tbody>
    </table>`);
}

export function renderUnassigned() {
  const list = state.plan?.unassigned || [];
  $("#unassigned").hidden = !list.length;
  $("#unassigned-empty").hidden = Boolean(list.length);
  $("#unassigned-empty").textContent = state.plan && state.plan.status === "solved" ? "Aucune." : "Pas de plan calculé.";
  render($("#unassigned tbody"), list.map((u) => html`<tr data-order="${u.order_id}">
    <td><strong>${u.order_id}</strong></td>
    <td>${REASON[u.reason] || u.reason} <span class="muted">(${u.reason})</span></td>
    <td>${u.detail || ""}</td></tr>`));
  // Couriers the planner could not use: why, in French (older plans: the reason).
  const off = state.plan?.couriers_unavailable || [];
  $("#unavailable").hidden = !off.length;
  render($("#unavailable-list"), off.map((c) => html`<li><strong>${c.courier_id}</strong> :
    ${c.detail || c.reason}</li>`));
}
