// Sending the queued taps in order, and reading the round. A tap leaves the queue once
// the server answered it: accepted (its view of the stop is kept), or refused for good
// (the courier is told, in French). No network, a server in trouble or a refused token
// keep it queued; main.js's retry loop and the browser's "online" event send it again.

import { forgetImages, sendProof } from "./proofs.js";
import { awaitingReturn, displayedRound } from "./round.js";
import { renderSync } from "./render.js";
import { $, askToken, redraw, showProblem, showRound, state } from "./state.js";
import { STORE, queued, read, saveRound, write } from "./store.js";
import { clockOf, day, dayLabel } from "./time.js";

const { api, ApiError } = Douai;

let flushing = null;
const RETURN_CHECK_MS = 3000;  // a failed parcel's return stop is added by the worker: look again soon

/** Whether a send is under way. */
export const sending = () => !!flushing;

/** Send the queue (one run at a time: taps must reach the server in order). */
export function flushQueue() {
  if (!flushing) {
    document.body.dataset.sending = "yes";  // for tests and for the curious: a send is under way
    flushing = sendQueue().finally(() => {
      flushing = null;
      delete document.body.dataset.sending;
    });
  }
  return flushing;
}

async function sendQueue() {
  for (;;) {
    const { answered, stalled } = await sendWaiting();
    if (answered) {
      state.sentAt = new Date();
      await refreshRound();  // the server's word on what the taps changed
      if (waitingForReturn()) setTimeout(() => { if (!flushing && !queued().length) refreshRound(); }, RETURN_CHECK_MS);
    }
    // Taps made while the round was being read have to go too, unless sending stalled.
    if (stalled || !queued().length) return;
  }
}

/** Send the queued taps, oldest first, until none is left or one has to wait. */
async function sendWaiting() {
  let answered = 0;
  for (;;) {
    const tap = queued()[0];
    if (!tap) return { answered, stalled: false };
    if (tap.kind === "proof") {
      try {
        await sendProof(tap);  // 201, or 200 for a retry
        setOnline(true);
      } catch (e) {
        if (keepTrying(e)) return { answered, stalled: true };
        if (e.status !== 409) refuse(tap, e);  // 409: the stop has its proof already
      }
      drop(tap.id);
      forgetImages(tap.id).catch(() => {});
      answered += 1;
      redraw();
      continue;
    }
    const body = { type: tap.type, at: tap.at };
    if (tap.reason) body.reason = tap.reason;
    if (tap.lon !== null && tap.lat !== null) Object.assign(body, { lon: tap.lon, lat: tap.lat });
    try {
      const done = await api("POST", `/api/stops/${tap.stop_id}/events`, body);  // 201, or 200 for a retry
      keepStop(done.stop);
      setOnline(true);
    } catch (e) {
      // No network or server trouble: kept, and the retry loop sends it later.
      if (keepTrying(e)) return { answered, stalled: true };
      refuse(tap, e);
    }
    drop(tap.id);
    answered += 1;
    redraw();
  }
}

/** Whether a failed send should stay queued: no network, a server in trouble, or a
 * token refused (a new token may come); other answers will never change. */
export function keepTrying(e) {
  if (!(e instanceof ApiError)) {
    setOnline(false);
    return true;
  }
  setOnline(true);
  if (e.status === 401 || e.status === 403) {
    askToken(e.status);
    return true;
  }
  return e.status >= 500 || e.status === 408 || e.status === 429;
}

/** Put the server's view of a stop into the saved round, so that the tap, once out of
 * the queue, still shows before the whole round is read again. */
function keepStop(stop) {
  const saved = read(STORE.round, null);
  const i = saved ? saved.data.stops.findIndex((s) => s.stop_id === stop.stop_id) : -1;
  if (i < 0) return;
  saved.data.stops[i] = stop;
  write(STORE.round, saved);
}

function drop(id) {
  write(STORE.queue, queued().filter((t) => t.id !== id));
}

/** Tell the courier, plainly, that a tap was refused and will not be sent again. */
function refuse(tap, e) {
  const fields = e.body && Array.isArray(e.body.detail) ? e.body.detail.map((d) => d.field) : [];
  const why = e.status === 413 ? "la photo est trop lourde"
    : e.status === 415 ? "l'image n'est pas une photo JPEG ou PNG"
    : e.status === 409 ? "l'arrêt était déjà terminé ou dans un autre état"
    : e.status === 404 ? "cet arrêt n'est plus sur votre tournée (tournée modifiée)"
      : fields.includes("at") ? "son heure ne tombe pas le jour de la tournée (vérifiez la date et l'heure du téléphone)"
        : "l'action était incomplète ou invalide";
  const refusals = read(STORE.refusals, []);
  refusals.push(`${tap.label}, faite à ${clockOf(tap.at)}, n'a pas été acceptée : ${why}. ` +
    `Elle est retirée de la file. (Détail : ${e.message})`);
  write(STORE.refusals, refusals);
}

export function setOnline(online) {
  if (state.online === online) return;
  state.online = online;
  renderSync(displayedRound());
}

/** Whether the round shown has a failed parcel on board with no return stop yet. */
export function waitingForReturn() {
  const shown = displayedRound();
  return !!shown && awaitingReturn(shown.round);
}

/** Read the round from the server (kept on the phone), then show it, or the saved one. */
export async function refreshRound() {
  try {
    const data = await api("GET", `/api/couriers/me/round?date=${encodeURIComponent(day)}`);
    saveRound(data);
    setOnline(true);
    showProblem(null);
  } catch (e) {
    if (!(e instanceof ApiError)) setOnline(false);
    else if (e.status === 401 || e.status === 403) return askToken(e.status);
    else if (e.status === 404) return noRound();
    else showProblem(`Le serveur n'a pas pu donner la tournée (erreur ${e.status}) ; nouvel essai dans une minute.`);
  }
  return showRound();
}

function noRound() {
  localStorage.removeItem(STORE.round);
  showRound();
  showProblem(`Aucune tournée pour vous le ${dayLabel()} : pas de plan publié ce jour-là, ou vous n'y êtes pas.`);
  $("map").hidden = true;
}
