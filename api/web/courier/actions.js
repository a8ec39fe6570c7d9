// The big buttons at the bottom of the screen: one step at a time (Arrivé, then Récupéré
// or Remis, or Échec with a reason), each tap queued with its own time and place.

import { html, render } from "../lib/html.js";
import { keepImages, shrink, signaturePad } from "./proofs.js";
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
  if (next && state.proving && state.proving.stop_id !== next.stop_id) state.proving = null;
  // Same step as on screen: leave the bar alone (a reason being typed stays).
  // Nothing to tap at the end (a failed parcel waiting for its return stop included).
  const proving = state.proving ? state.proving.step : "";
  const key = !next || next.kind === "end" ? "" : `${next.stop_id}:${arrived}:${state.failing}:${proving}`;
  if (key === state.barKey) return;
  state.barKey = key;
  if (!key) {
    bar.hidden = true;
    render(bar, "");
    return;
  }
  bar.hidden = false;
  if (state.proving) {
    renderProof(bar, next, state.proving, round.proof || {});
    return;
  }
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
  if (step === "delivered" && stop.kind === "delivery") {
    state.proving = { stop_id: stop.stop_id, step };  // who took it, a photo, a signature
    redraw();
    return;
  }
  queueTap(stop, step, null);
}

function fail(stop, reason) {
  state.failing = null;
  state.lastStepAt = Date.now();
  const asked = displayedRound()?.round.proof || {};
  if (stop.kind === "delivery" && asked.photo_on_failure !== false) {
    state.proving = { stop_id: stop.stop_id, step: "failed", reason };  // a photo first
    redraw();
    return;
  }
  queueTap(stop, "failed", reason);
}

/** The proof at a hand-over: the recipient's name, a photo, a signature; on a failed
 * one a photo (the door, the letter box) when the platform asks for it. */
function renderProof(bar, stop, proving, asked) {
  const failed = proving.step === "failed";
  const photoNeeded = failed && asked.photo_on_failure !== false;
  const who = stop.orders.find((o) => o.customer_name)?.customer_name || "";
  render(bar, html`<p class="ask">${failed ? `Échec : ${proving.reason}` : "Preuve de remise"}</p>
    ${failed ? "" : html`<label for="proof-name">Nom de la personne qui reçoit le colis</label>
      <input id="proof-name" type="text" maxlength="200" autocomplete="off" value="${who}">`}
    <div class="photo-row">
      <label class="photo-button" for="proof-photo">${failed ? "Photo du lieu (obligatoire)" : "Photo du colis remis"}</label>
      <input id="proof-photo" type="file" accept="image/jpeg,image/png,image/*" capture="environment">
      <img id="proof-thumb" alt="Photo prise" hidden>
      <span id="proof-photo-state" role="status">Aucune photo</span>
    </div>
    ${failed ? "" : html`<label for="proof-signature">Signature (facultative)</label>
      <canvas id="proof-signature" class="signature" aria-label="Zone de signature : signez avec le doigt"></canvas>
      <button type="button" class="cancel" data-clear>Effacer la signature</button>`}
    <button type="button" class="step primary" data-confirm ${photoNeeded ? html`disabled` : ""}>${
      failed ? "Valider l'échec" : "Valider la remise"}</button>
    <button type="button" class="cancel" data-cancel>Annuler</button>`);
  bar.scrollIntoView({ block: "start" });  // the bar scrolls with the page now: show it whole
  const pad = failed ? null : signaturePad(bar.querySelector("#proof-signature"));
  let photo = null;
  const confirm = bar.querySelector("[data-confirm]");
  bar.querySelector("#proof-photo").addEventListener("change", async (ev) => {
    const file = ev.target.files && ev.target.files[0];
    const said = bar.querySelector("#proof-photo-state");
    if (!file) return;
    try {
      photo = await shrink(file);
    } catch {
      photo = null;
      said.textContent = "Cette image ne s'ouvre pas : reprenez la photo.";
      return;
    }
    said.textContent = `Photo prête (${Math.round(photo.size / 1024)} ko)`;
    const thumb = bar.querySelector("#proof-thumb");
    const reader = new FileReader();
    reader.onload = () => { thumb.src = reader.result; thumb.hidden = false; };
    reader.readAsDataURL(photo);
    confirm.disabled = false;
  });
  bar.querySelector("[data-clear]")?.addEventListener("click", () => pad.clear());
  bar.querySelector("[data-cancel]").addEventListener("click", () => {
    state.proving = null;
    redraw();
  });
  confirm.addEventListener("click", async () => {
    if (photoNeeded && !photo) return;
    confirm.disabled = true;
    const name = failed ? "" : bar.querySelector("#proof-name").value.trim();
    const signature = pad ? await pad.image() : null;
    state.proving = null;
    state.lastStepAt = Date.now();
    queueTap(stop, proving.step, failed ? proving.reason : null,
      name || photo || signature ? { recipient_name: name, photo, signature } : null);
  });
}

/** A tap: queued with its own time and place, shown at once, then sent; its proof
 * follows it in the queue once the images are kept (IndexedDB). */
async function queueTap(stop, type, reason, proof = null) {
  const now = new Date();
  const fix = state.lastFix && now - state.lastFix.t < 120000 ? state.lastFix : null;
  const numbers = numbering(displayedRound().round.stops);
  const id = `${now.getTime()}-${Math.random().toString(36).slice(2, 8)}`;
  const where = `l'arrêt ${numbers.get(stop.stop_id)} (${placeText(stop)})`;
  write(STORE.queue, [...queued(), {
    id, stop_id: stop.stop_id, type, reason, at: isoLocal(now),
    lon: fix ? fix.lon : null, lat: fix ? fix.lat : null,
    label: `« ${STEP_LABEL[type]} » à ${where}`,
  }]);
  redraw();
  window.scrollTo({ top: 0 });
  flushQueue();
  if (!proof) return;
  const entry = { id: `${id}-proof`, kind: "proof", stop_id: stop.stop_id, at: isoLocal(now),
    recipient_name: proof.recipient_name || null, label: `La preuve de remise de ${where}` };
  try {
    await keepImages(entry.id, { photo: proof.photo, signature: proof.signature });
  } catch {
    // No room on the phone for the images: the name alone goes, if there is one.
    if (!entry.recipient_name) return;
  }
  write(STORE.queue, [...queued(), entry]);
  redraw();
  flushQueue();
}
