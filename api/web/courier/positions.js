// The phone's position while the round is open: at most one every 30 s, queued in
// localStorage and sent in batches (the dispatcher's live map), kept through dead zones.
// The latest one also goes with each tap.

import { state } from "./state.js";
import { STORE, read, write } from "./store.js";
import { keepTrying } from "./sync.js";
import { isoLocal } from "./time.js";

const POSITION_EVERY_MS = 30000; // at most one position every 30 s (battery, data)
const MAX_POSITIONS = 500;       // the API's largest batch

/** Watch the position while the round is open; stop once it is over. */
export function followPositions(round) {
  const open = round.next && round.next.kind !== "end";
  if (open && state.watchId === null && navigator.geolocation) {
    state.watchId = navigator.geolocation.watchPosition(onFix, () => {}, {
      enableHighAccuracy: true, maximumAge: 10000, timeout: 60000,
    });
  } else if (!open && state.watchId !== null) {
    stopWatching();
  }
}

export function stopWatching() {
  if (state.watchId !== null) navigator.geolocation.clearWatch(state.watchId);
  state.watchId = null;
}

function onFix(pos) {
  const now = Date.now();
  state.lastFix = { lon: pos.coords.longitude, lat: pos.coords.latitude, t: now };
  if (now - state.lastQueuedFix < POSITION_EVERY_MS) return;
  state.lastQueuedFix = now;
  const queue = read(STORE.positions, []);
  queue.push({ lon: state.lastFix.lon, lat: state.lastFix.lat, at: isoLocal(new Date(now)) });
  write(STORE.positions, queue.slice(-5000));  // a whole day at one every 30 s fits
  flushPositions();
}

let sendingPositions = false;

/** Send the waiting positions as batches; the server skips copies of an instant. */
export async function flushPositions() {
  if (sendingPositions) return;
  sendingPositions = true;
  try {
    for (;;) {
      const batch = read(STORE.positions, []).slice(0, MAX_POSITIONS);
      if (!batch.length) break;
      try {
        await Douai.api("POST", "/api/couriers/me/positions", { positions: batch });
      } catch (e) {
        if (keepTrying(e)) break;  // kept for later; a refused batch (422) is dropped
      }
      const sent = new Set(batch.map((p) => p.at));
      write(STORE.positions, read(STORE.positions, []).filter((p) => !sent.has(p.at)));
    }
  } finally {
    sendingPositions = false;
  }
}
