// The big buttons at the bottom of the screen: one step at a time (Arrivé, then Récupéré
// or Remis, or Échec with a reason), each tap queued with its own time and place.

import { html, render } from "../lib/html.js";
import { STEP_LABEL, displayedRound, numbering, over, placeText } from "./round.js";
import { $, redraw, state } from "./state.js";
import { STORE, queued, write } from "./store.js";
import { flushQueue } from "./sync.js";
import { isoLocal } from "./time.js";

const HOLD_OFF_MS = 600;  // new step buttons ignore taps this long (double taps)
const REASONS = {
  pickup: ["Commerce fermé", "Colis pas prêt", "Adresse introuvable", "Colis endommagé", "Autre"],
  delivery: ["Client absent", "Adresse introuvable", "Colis refusé", "Colis endommagé", "Autre"],
  return: ["Commerce fermé", "Autre"],  // then the parcel goes back to the depot
};
const FINISH = { pickup: "picked_up", delivery: "delivered", return: "returned" };

/** The next step's buttons (nothing once the round is over). */
export function renderActions(round) {
  const bar = $("actions");
  const next = round.next;
  const arrived = !!next && next.events.some((e) => e.type === "arrived");
  if (next && state.failing !== next.stop_id) state.failing = null;
  // Same step as on screen: leave the bar alone (a reason being typed stays).
  // Nothing to tap at the end (a failed parcel waiting for its return stop included).
  const key = !next || next.kind === "end" ? "" : `${next.stop_id}:${arrived}:${state.failing}`;
  if (key === state.barKey) return;
  state.barKey = key;
  if (!key) {
    bar.hidden = true;
    render(bar, "");
    return;
  }
  bar.hidden = false;
  if (state.failing === next.stop_id) {
    renderReasons(bar, next);
    return;
  }
  if (!arrived) {
    render(bar, html`<button type="button" class="step primary" data-step="arrived">Arrivé</button>`);
  } else {
    const finish = FINISH[next.kind] || "delivered";
    // A parcel brought back to the depot is handed in there: that cannot fail.
    const canFail = !(next.kind === "return" && !next.shop_id);
    render(bar, html`<div class="row">
      ${canFail ? html`<button type="button" class="step fail" data-step="fail">Échec</button>` : ""}
      <button type="button" class="step primary" data-step="${finish}">${STEP_LABEL[finish]}</button></div>`);
  }
  bar.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => onStep(next, b.dataset.step)));
  holdOff(bar);
}

/** Right after a step the next step's button sits where the finger was: a double tap
 * must not mark a parcel handed over, so the new buttons wait a moment. */
function holdOff(bar) {
  const wait = state.lastStepAt + HOLD_OFF_MS - Date.now();
  if (wait <= 0) return;
  const buttons = [...bar.querySelectorAll("button")];
  buttons.forEach((b) => { b.disabled = true; });
  setTimeout(() => buttons.forEach((b) => { b.disabled = false; }), wait);
}

export function hideActions() {
  $("actions").hidden = true;
  render($("actions"), "");
  state.barKey = null;
}

/** The short list of reasons; "Autre" asks for a word or two. */
function renderReasons(bar, stop) {
  const reasons = REASONS[stop.kind] || REASONS.delivery;
  render(bar, html`<p class="ask">Pourquoi l'échec ?</p>
    <div class="reasons">${reasons.map((r) => html`<button type="button" class="reason" data-reason="${r}">${r}</button>`)}</div>
    <div class="other" hidden><label for="other-reason">Précisez</label>
      <input id="other-reason" type="text" maxlength="200" autocomplete="off">
      <button type="button" class="step primary" data-other>Valider l'échec</button></div>
    <button type="button" class="cancel" data-cancel>Annuler</button>`);
  bar.querySelectorAll("[data-reason]").forEach((b) => b.addEventListener("click", () => {
    if (b.dataset.reason !== "Autre") return fail(stop, b.dataset.reason);
    bar.querySelector(".other").hidden = false;
    bar.querySelector("#other-reason").focus();
  }));
  bar.querySelector("[data-other]").addEventListener("click", () => {
    const text = bar.querySelector("#other-reason").value.trim();
    fail(stop, text ? `Autre : ${text}` : "Autre");
  });
  bar.querySelector("[data-cancel]").addEventListener("click", () => {
    state.failing = null;
    redraw();
  });
  holdOff(bar);
}

function onStep(stop, step) {
  state.lastStepAt = Date.now();
  if (step === "fail") {
    state.failing = stop.stop_id;
    redraw();
    return;
  }
  queueTap(stop, step, null);
}

function fail(stop, reason) {
  state.failing = null;
  state.lastStepAt = Date.now();
  queueTap(stop, "failed", reason);
}

/** A tap: queued with its own time and place, shown at once, then sent. */
function queueTap(stop, type, reason) {
  const now = new Date();
  const fix = state.lastFix && now - state.lastFix.t < 120000 ? state.lastFix : null;
  const numbers = numbering(displayedRound().round.stops);
  const queue = queued();
  queue.push({
    id: `${now.getTime()}-${Math.random().toString(36).slice(2, 8)}`,
    stop_id: stop.stop_id, type, reason, at: isoLocal(now),
    lon: fix ? fix.lon : null, lat: fix ? fix.lat : null,
    label: `« ${STEP_LABEL[type]} » à l'arrêt ${numbers.get(stop.stop_id)} (${placeText(stop)})`,
  });
  write(STORE.queue, queue);
  redraw();
  window.scrollTo({ top: 0 });
  flushQueue();
}
