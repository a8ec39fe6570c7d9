// Planning the day: the couriers to plan with, the request and its progress (followed
// every second until solved or failed), the plan's state, and publishing it.

import { html, render } from "../lib/html.js";
import { MODE, PLAN_STATUS } from "./labels.js";
import { fit } from "./map.js";
import {
  $, ApiError, POLL_MS, api, busy, clockOf, follow, handle, notice, num, refreshOrders, refused,
  retryOffline, setPlan, state,
} from "./state.js";

// ---------------------------------------------------------------- couriers to plan

export function renderCourierBoxes() {
  render($("#courier-boxes"), state.couriers.length ? state.couriers.map((c) => html`
    <label class="box"><input type="checkbox" value="${c.courier_id}"
      ${state.unchecked.has(c.courier_id) ? "" : html`checked`}>
      <span><strong>${c.courier_id}</strong> — ${MODE[c.mode] || c.mode},
      ${c.shift_start}–${c.shift_end}, ${num(c.capacity_kg, 0)} kg / ${num(c.capacity_l, 0)} L</span>
    </label>`) : html`<p class="muted">Aucun coursier enregistré.</p>`);
  countCouriers();
}

export function countCouriers() {
  const boxes = [...document.querySelectorAll("#courier-boxes input")];
  state.unchecked = new Set(boxes.filter((b) => !b.checked).map((b) => b.value));
  $("#couriers-count").textContent = `${boxes.length - state.unchecked.size} sur ${boxes.length}`;
}

export function checkAll(on) {
  for (const b of document.querySelectorAll("#courier-boxes input")) b.checked = on;
  countCouriers();
}

// ---------------------------------------------------------------- the plan's state

export function renderPlanInfo() {
  const p = state.plan;
  const badge = $("#plan-badge");
  const info = $("#plan-info");
  const publish = $("#publish-button");
  const planButton = $("#plan-button");
  planButton.disabled = Boolean(busy(p) || (p && p.published));
  planButton.title = "";
  if (!p) {
    $("#withdraw-button").hidden = true;
    badge.textContent = "Aucun plan";
    badge.className = "badge";
    info.textContent = "Aucun plan pour ce jour : planifiez-le.";
    publish.disabled = true;
    publish.textContent = "Publier";
    return;
  }
  let label = PLAN_STATUS[p.status] || p.status;
  let cls = `badge plan-${p.status}`;
  if (p.status === "solved") {
    label = p.published ? "Publié" : (p.withdrawn_at ? "Retiré" : "Non publié");
    cls = p.published ? "badge plan-published" : "badge plan-draft";
  }
  badge.textContent = `Plan n° ${p.id} — ${label}`;
  badge.className = cls;
  const parts = [`Plan n° ${p.id} : ${PLAN_STATUS[p.status] || p.status}`];
  if (p.revision) parts.push(`révision ${p.revision}`);
  const s = p.summary;
  if (s && p.status === "solved") {
    parts.push(`${s.planned} commande(s) planifiée(s) sur ${s.orders}`);
    parts.push(`${s.couriers_used} coursier(s)`);
    parts.push(`${num((s.bike_km || 0) + (s.foot_km || 0))} km`);
  }
  if (p.published) parts.push(`publié à ${clockOf(p.published_at)}`);
  else if (p.withdrawn_at) parts.push(`retiré à ${clockOf(p.withdrawn_at)}`);
  else if (p.status === "solved") parts.push("non publié");
  info.textContent = parts.join(" · ");
  info.className = "";
  publish.disabled = !(p.status === "solved" && !p.published && !p.withdrawn_at);
  publish.textContent = p.published ? "Publié" : "Publier";
  const withdrawButton = $("#withdraw-button");
  withdrawButton.hidden = !p.published;
  withdrawButton.disabled = underWay(p);
  withdrawButton.title = underWay(p)
    ? "Des livreurs ont commencé : changez le plan par déplacements et absences." : "";
  planButton.title = p.published
    ? (underWay(p) ? "Le plan est en cours : changez-le par déplacements et absences."
      : "Retirez d'abord le plan publié pour planifier à nouveau.") : "";
}

/** Whether a courier reported a stop of plan ``p``. */
function underWay(p) {
  return (p.rounds || []).some((r) => r.stops.some((s) => (s.events || []).length));
}

/** Take the published plan out of force (none of its stops reported), to plan again. */
export async function withdrawPlan() {
  const p = state.plan;
  if (!p || !p.published) return;
  if (!window.confirm(`Retirer le plan n° ${p.id} ? Les livreurs ne verront plus leur tournée ; vous pourrez planifier la journée à nouveau.`)) return;
  $("#withdraw-button").disabled = true;
  const gen = state.generation;
  try {
    await api("POST", `/api/plans/${p.id}/withdraw`);
    const full = await api("GET", `/api/plans/${p.id}`);
    if (gen !== state.generation) return;
    setPlan(full);
    $("#withdraw-msg").textContent = `Plan n° ${p.id} retiré : la journée peut être planifiée à nouveau.`;
  } catch (err) {
    if (err instanceof ApiError && !refused(err)) {
      $("#withdraw-msg").textContent = `Retrait refusé : ${err.message}`;
    } else {
      handle(err, "Retrait");
    }
    renderPlanInfo();
  }
}

function progressOf(p) {
  const limit = p.settings?.time_limit_s;
  if (p.status === "queued") {
    return html`<strong>Plan n° ${p.id} en file d'attente…</strong> <span class="muted">un calculateur va le prendre</span>`;
  }
  if (p.status === "running") {
    const elapsed = p.started_at ? Math.max(0, (Date.now() - Date.parse(p.started_at)) / 1000) : 0;
    return html`<strong>Calcul en cours : ${Math.floor(elapsed)} s sur ${limit ? num(limit, 0) : "?"} s</strong>
      ${limit ? html`<progress max="${limit}" value="${Math.min(elapsed, limit)}"></progress>` : ""}`;
  }
  if (p.status === "solved") {
    const took = p.started_at && p.finished_at
      ? ` en ${num((Date.parse(p.finished_at) - Date.parse(p.started_at)) / 1000, 0)} s` : "";
    const s = p.summary;
    return html`<strong class="ok">Plan n° ${p.id} calculé${took}.</strong>${
      s ? ` ${s.planned} commande(s) planifiée(s), ${s.unassigned} non affectée(s).` : ""}`;
  }
  return html`<strong class="error">Échec du calcul du plan n° ${p.id} :</strong> ${p.error || "raison inconnue"}`;
}

/** The plan's progress; `data-seen` keeps the statuses shown since the request. */
export function renderProgress(p) {
  const el = $("#progress");
  if (!p) {
    el.textContent = "";
    return;
  }
  if (state.seen[state.seen.length - 1] !== p.status) state.seen.push(p.status);
  el.dataset.seen = state.seen.join(" ");
  el.dataset.status = p.status;
  render(el, progressOf(p));
}

function renderProgressText(text, bad) {
  render($("#progress"), html`<span class="${bad ? "error" : ""}">${text}</span>`);
}

/** Poll a queued or running plan every second until it is solved or failed. */
export function followPlan(planId) {
  const gen = state.generation;
  follow("plan", async () => {
    const p = await api("GET", `/api/plans/${planId}?geometry=false`);
    if (gen !== state.generation) return null;
    renderProgress(p);
    if (busy(p)) {
      if (!state.plan || state.plan.status !== p.status || state.plan.id !== p.id) setPlan(p);
      return p;
    }
    const full = p.status === "solved" ? await api("GET", `/api/plans/${planId}`) : p;
    if (gen !== state.generation) return null;
    setPlan(full);
    fit();
    await refreshOrders(gen);
    return full;
  }, {
    every: POLL_MS,
    until: (p) => !busy(p),
    onError: retryOffline("Suivi du calcul", 3 * POLL_MS),
  });
}

export async function requestPlan(ev) {
  ev.preventDefault();
  const boxes = [...document.querySelectorAll("#courier-boxes input")];
  const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
  const limit = Number($("#time-limit").value);
  if (!chosen.length) {
    renderProgressText("Cochez au moins un coursier.", true);
    return;
  }
  if (!(limit > 0 && limit <= 600)) {
    renderProgressText("Temps de calcul : entre 1 et 600 secondes.", true);
    return;
  }
  // The couriers as ticked (the plan keeps them for its re-plans); past the API's
  // 500 names, "all of them" is said by leaving the list out.
  const body = { date: state.date, time_limit_s: limit };
  if (chosen.length <= 500 || chosen.length < boxes.length) body.couriers = chosen;
  $("#plan-button").disabled = true;
  const gen = state.generation;
  try {
    const r = await api("POST", "/api/plans", body);
    if (gen !== state.generation) return;
    state.seen = [];
    state.selected = null;
    notice(r.warning ? `File des calculs : ${r.warning}` : "");
    if (r.duplicate) notice("Un plan de ce jour était déjà demandé : voici son avancement.");
    const p = { ...r, settings: { time_limit_s: limit }, rounds: [], unassigned: [], changes: [] };
    setPlan(p);
    renderProgress(p);
    followPlan(r.id);
  } catch (err) {
    $("#plan-button").disabled = false;
    if (err instanceof ApiError && !refused(err)) {
      renderProgressText(`Planification refusée : ${err.message}`, true);
    } else {
      handle(err, "Planification");
    }
  }
}

export async function publish() {
  const p = state.plan;
  if (!p) return;
  $("#publish-button").disabled = true;
  const gen = state.generation;
  try {
    await api("POST", `/api/plans/${p.id}/publish`);
    const full = await api("GET", `/api/plans/${p.id}`);
    if (gen !== state.generation) return;
    setPlan(full);
    notice("");
  } catch (err) {
    handle(err, "Publication");
    renderPlanInfo();
  }
}
