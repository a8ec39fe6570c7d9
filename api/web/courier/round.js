// The round as the courier sees it: the saved one with the queued taps already applied,
// the stops' numbers, and a stop's kind, place and time window in words.

import { queued, savedRound } from "./store.js";

export const FINISHED = new Set(["done", "failed", "cancelled"]);
export const WORK = new Set(["pickup", "delivery", "return"]);  // the stops with something to do (not start, end)
export const STEP_LABEL = {
  arrived: "Arrivé", picked_up: "Récupéré", delivered: "Remis", failed: "Échec", returned: "Rapporté",
};
const KIND = {
  pickup: "Retrait au commerce", delivery: "Livraison au client", return: "Retour du colis au commerce",
  start: "Départ", end: "Retour au dépôt",
};

/** A stop's status from its events, as the server derives it (failed wins). */
function statusOf(stop) {
  const types = new Set(stop.events.map((e) => e.type));
  if (types.has("failed")) return "failed";
  if (types.has("picked_up") || types.has("delivered") || types.has("returned")) return "done";
  if (stop.status === "cancelled") return "cancelled";
  if (types.has("arrived")) return "arrived";
  return stop.status;
}

/** The first stop after the start that is not finished (the server's rule). */
function nextStop(stops) {
  return stops.find((s) => s.kind !== "start" && !FINISHED.has(s.status)) || null;
}

/** The round as the courier should see it: taps waiting to be sent already count. */
export function displayedRound() {
  const saved = savedRound();
  if (!saved) return null;
  const round = structuredClone(saved.data);
  for (const tap of queued()) {
    if (tap.kind === "proof") continue;  // a proof changes no stop
    const stop = round.stops.find((s) => s.stop_id === tap.stop_id);
    if (!stop) continue;
    if (!stop.events.some((e) => e.type === tap.type)) {
      stop.events.push({ type: tap.type, at: tap.at, reason: tap.reason, waiting: true });
    }
    stop.status = statusOf(stop);
  }
  const started = round.stops.some((s) => s.events.length);
  round.stops.forEach((s) => { if (s.kind === "start" && started) s.status = "done"; });
  // A round withdrawn by the dispatcher (an absence) has no next stop.
  round.next = round.withdrawn_at ? null : nextStop(round.stops);
  return { round, savedAt: saved.savedAt };
}

/** The number shown on the map and in the list: work stops count from 1. */
export function numbering(stops) {
  const numbers = new Map();
  let n = 0;
  for (const s of stops) numbers.set(s.stop_id, WORK.has(s.kind) ? String(++n) : "D");
  return numbers;
}

/** The parcels whose hand-over failed and that are still on board (the server's rule,
 * logistics/returns.py, so that a tap not yet sent counts): picked up on this round,
 * failed at their door, not cancelled, not brought back yet. */
export function toReturn(round) {
  const picked = new Set();
  const back = new Set();
  for (const s of round.stops) {
    const types = new Set(s.events.map((e) => e.type));
    if (s.kind === "pickup" && types.has("picked_up")) s.orders.forEach((o) => picked.add(o.order_id));
    if (s.kind === "delivery" && types.has("failed")) {
      s.orders.filter((o) => picked.has(o.order_id) && o.status !== "cancelled" && o.status !== "delivered")
        .forEach((o) => back.add(o.order_id));
    }
    if (s.kind === "return" && types.has("returned")) s.orders.forEach((o) => back.delete(o.order_id));
  }
  return [...back];
}

/** Whether a failed parcel on board waits for the return stop the server adds. */
export function awaitingReturn(round) {
  const planned = new Set(round.stops.filter((s) => s.kind === "return" && !FINISHED.has(s.status))
    .flatMap((s) => s.orders.map((o) => o.order_id)));
  return toReturn(round).some((o) => !planned.has(o));
}

/** Whether the round is over: nothing left but the way back to the depot, and no
 * failed parcel left on board. */
export const over = (round) => !round.next || (round.next.kind === "end" && !toReturn(round).length);

/** What kind of stop, in words; a pickup without a shop is at the hub. */
export function kindText(stop) {
  if (stop.kind === "pickup" && !stop.orders.some((o) => o.shop_id)) return "Retrait au dépôt";
  if (stop.kind === "return" && !stop.shop_id) return "Retour du colis au dépôt";
  return KIND[stop.kind];
}

export function placeText(stop) {
  if (stop.address) return stop.address;
  if (stop.kind === "pickup" || stop.kind === "return") return "Dépôt";  // orders without a shop wait at the hub
  return stop.kind === "end" ? "Dépôt (fin de tournée)" : stop.kind === "start" ? "Dépôt (départ)" : "Adresse inconnue";
}

export function windowText(stop) {
  const w = stop.window;
  if (!w || (!w.from && !w.to)) return "";
  const label = { pickup: "Retrait possible", return: "Commerce ouvert" }[stop.kind] || "Créneau client";
  if (!w.to) return `${label} dès ${Douai.hm(w.from)}`;
  if (!w.from) return `${label} jusqu'à ${Douai.hm(w.to)}`;
  return `${label} ${Douai.hm(w.from)}–${Douai.hm(w.to)}`;
}
