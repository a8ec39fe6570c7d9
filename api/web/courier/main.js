// The courier's phone: today's round on a map and as a list, one big button per step,
// and a round that keeps working in a dead zone. Native ES modules, no build step;
// Douai.* (token, API calls, French formats) and L (Leaflet) come from the classic
// scripts loaded before.
//
// Offline design: every tap goes into a queue kept in localStorage (with the tap's own
// time and position) and is applied to the displayed round at once; the queue is then
// sent in order, now or when the network comes back. The last round received is kept
// too, so the page (cached by courier-sw.js, with every module below) opens again with
// no network at all.
//
//   time.js       the round's day, tap times, whether steps count today
//   store.js      localStorage: the saved round, the queue, positions, refusals
//   state.js      the page's state and what any part may ask of the page
//   round.js      the displayed round (queued taps applied), stops in words
//   render.js     the sync line, refusals, another day, the next stop, the other stops
//   actions.js    the step buttons, the failure reasons, the proof at the door; taps queued
//   proofs.js     the proof's photo (shrunk), signature pad, images kept in IndexedDB
//   sync.js       sending the queue, reading the round
//   positions.js  the phone's position, queued and sent in batches
//   map.js        the round on the map
//   ../lib/html.js (templates that escape by default), ../lib/poll.js (the retry loops)

import { render } from "../lib/html.js";
import { poll } from "../lib/poll.js";
import { hideActions, renderActions } from "./actions.js";
import { renderMap } from "./map.js";
import { flushPositions, followPositions, stopWatching } from "./positions.js";
import { renderNext, renderOtherDay, renderRefusals, renderRest, renderSync } from "./render.js";
import { displayedRound, numbering } from "./round.js";
import { $, connect, showProblem, state } from "./state.js";
import { STORE, forgetAll, queued, read, savedRound, signedIn } from "./store.js";
import { flushQueue, refreshRound, sending, setOnline, waitingForReturn } from "./sync.js";
import { dayLabel } from "./time.js";

const RETRY_MS = 10000;    // how often a waiting queue is sent again
const REFRESH_MS = 60000;  // how often the round is read again (re-planning)

connect({ render: renderRound, showRound, askToken });

/** The whole round again: the saved one with the queued taps applied. */
function renderRound() {
  const shown = displayedRound();
  renderSync(shown);
  renderRefusals();
  if (!shown) return;
  const today = renderOtherDay();
  const { round } = shown;
  const numbers = numbering(round.stops);
  renderNext(round, numbers);
  renderRest(round, numbers);
  renderMap(round, numbers);
  if (today) renderActions(round);
  else hideActions();
  followPositions(round);
}

function showRound() {
  render($("signin"), "");
  $("round").hidden = false;
  $("signout").hidden = false;
  if (!savedRound()) {
    if (!state.online) showProblem("Hors ligne, et aucune tournée n'est enregistrée sur ce téléphone pour ce jour. Elle s'affichera dès le retour du réseau.");
    render($("next"), "");
    render($("rest"), "");
    hideActions();
  }
  renderRound();
}

// ---- signing in and out ----------------------------------------------------------

function askToken(status) {
  const message = status === 403 ? "Ce jeton n'est pas celui d'un coursier. Utilisez le lien ou le jeton reçu pour votre tournée."
    : status === 401 ? "Jeton refusé : il est inconnu ou n'est plus valable. Vérifiez-le ou demandez-en un nouveau à la régulation."
      : "";
  Douai.signOut();
  stopLoops();
  $("round").hidden = true;
  $("signout").hidden = true;
  hideActions();
  Douai.signIn($("signin"), () => open(), message);
}

function signOut() {
  const waiting = queued().length;
  if (waiting && !confirm(`${waiting} action(s) pas encore envoyée(s) seront perdues. Se déconnecter quand même ?`)) return;
  forgetAll();
  state.sentAt = null;
  askToken(0);
}

// ---- the loops -------------------------------------------------------------------

/** Send what waits, and read the round while the network seems down or a failed
 * parcel waits for its return stop. */
function retry() {
  if (!signedIn()) return;
  if (queued().length) flushQueue();
  if (read(STORE.positions, []).length) flushPositions();
  if (!state.online || (!queued().length && !sending() && waitingForReturn())) refreshRound();
}

function refreshWhenIdle() {
  if (signedIn() && !queued().length && !sending()) refreshRound();
}

/** Both loops tick at a steady pace: they start the sends and do not wait for them. */
function startLoops() {
  stopLoops();
  state.loops.push(
    poll(retry, { every: RETRY_MS, delay: RETRY_MS, onError: () => RETRY_MS }),
    poll(refreshWhenIdle, { every: REFRESH_MS, delay: REFRESH_MS, onError: () => REFRESH_MS }),
  );
}

function stopLoops() {
  state.loops.forEach((loop) => loop.stop());
  state.loops = [];
  stopWatching();
}

// ---- start ---------------------------------------------------------------------

/** Open the round: the saved one at once, then the server's, then the queue. */
function open() {
  state.fitted = false;
  showRound();
  startLoops();
  refreshRound().then(() => {
    if (signedIn()) {
      flushQueue();
      flushPositions();
    }
  });
}

function registerServiceWorker() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/courier-sw.js", { scope: "/courier" }).catch(() => {
    // Without it the page still works online; only the offline opening is lost.
  });
}

$("day").textContent = dayLabel();
$("signout").addEventListener("click", signOut);
window.addEventListener("online", () => {
  if (!signedIn()) return;
  setOnline(true);
  flushQueue().then(flushPositions);
  refreshWhenIdle();
});
window.addEventListener("offline", () => setOnline(false));
registerServiceWorker();
if (Douai.token()) open();
else askToken(0);
