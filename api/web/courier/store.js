// What the phone keeps in localStorage: the last round received (this token's, this
// day's), the taps not yet accepted by the server, the positions not yet sent, and the
// refusals the courier has not read yet. The page opens from these with no network.

import { day } from "./time.js";

export const STORE = {
  round: "douai.courier.round",        // {token, date, savedAt, data}: the last round received
  queue: "douai.courier.queue",        // taps not yet accepted by the server, oldest first
  positions: "douai.courier.positions", // positions not yet sent
  refusals: "douai.courier.refusals",  // taps the server refused, until the courier reads them
};

const tokenNow = () => Douai.token();

export const signedIn = () => !!tokenNow();

export function read(key, fallback) {
  try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; }
}

export function write(key, value) {
  localStorage.setItem(key, JSON.stringify(value));
}

/** The taps waiting to be sent, oldest first. */
export const queued = () => read(STORE.queue, []);

/** The saved round, only if it is this token's and this day's (a shared phone). */
export function savedRound() {
  const saved = read(STORE.round, null);
  return saved && saved.token === tokenNow() && saved.date === day ? saved : null;
}

export function saveRound(data) {
  write(STORE.round, { token: tokenNow(), date: day, savedAt: new Date().toISOString(), data });
}

export function forgetAll() {
  Object.values(STORE).forEach((k) => localStorage.removeItem(k));
  try { indexedDB.deleteDatabase("douai-courier"); } catch { /* none kept */ }  // the proofs' images
}
