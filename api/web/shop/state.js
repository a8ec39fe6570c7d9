// The page's state, the API calls shared by the panels, the polling loop in flight,
// messages, and days. Douai.* comes from common.js (a classic script loaded before).

import { poll } from "../lib/poll.js";

export const { api, ApiError, hm } = Douai;
export const $ = (sel, root = document) => root.querySelector(sel);

/** The orders shown: today and the 6 days after it. */
export const DAYS = 7;
export const REFRESH_MS = 30_000;
export const IMPORT_POLL_MS = 2000;

export const state = {
  shop: null,           // GET /api/shops/me: name, slots, parcels
  today: null,          // YYYY-MM-DD, the browser's (set at load)
  orders: [],
  editing: null,        // {id, kind: "later" | "cancel"}: the order's open question
  generation: 0,        // bumped at each load: late answers are dropped
  polls: {},            // name -> handle of the polling loops in flight
};

// What the page does when the token is refused, and when the orders change: set by
// main.js (the modules that draw import this one, not the reverse).
const hooks = { signIn() {}, orders() {} };

export function connect(fns) {
  Object.assign(hooks, fns);
}

// ---------------------------------------------------------------- polling loops

export function follow(name, fn, options) {
  stopFollowing(name);
  state.polls[name] = poll(fn, options);
}

export function stopFollowing(name) {
  state.polls[name]?.stop();
  delete state.polls[name];
}

export function stopAll() {
  for (const name of Object.keys(state.polls)) stopFollowing(name);
}

// ---------------------------------------------------------------- messages

/** A refused token (401) or one that is not a shop's (403) goes back to the sign-in
 * form; anything else is shown at the top. True when it was a refused token. */
export function handle(err, where) {
  if (err instanceof ApiError && err.status === 401) {
    Douai.signOut();
    hooks.signIn("Jeton refusé ou expiré : connectez-vous à nouveau.");
    return true;
  }
  if (err instanceof ApiError && err.status === 403) {
    Douai.signOut();
    hooks.signIn("Ce jeton n'est pas celui d'un commerce : utilisez le jeton de votre boutique.");
    return true;
  }
  notice(`${where ? `${where} : ` : ""}${failure(err)}`);
  return false;
}

/** A failure in French: the API's own sentence when it has one. */
export function failure(err) {
  if (!(err instanceof ApiError)) return "serveur injoignable (réseau). Réessayez dans un instant.";
  if (err.body?.message) return err.body.message;
  if (err.status === 404) return "commande introuvable (elle a peut-être été supprimée).";
  if (err.status === 409) return "ce n'est plus possible : la commande a changé entre-temps.";
  if (err.status === 413) return "le fichier est trop gros : coupez-le en plusieurs fichiers.";
  if (err.status === 429) return "trop de demandes : attendez une minute.";
  if (err.status >= 500) return "le serveur a un problème. Réessayez dans un instant.";
  return "demande refusée.";
}

export function notice(text) {
  const el = $("#notice");
  el.textContent = text || "";
  el.hidden = !text;
}

// ---------------------------------------------------------------- the API

/** A call with a body that is not JSON (a CSV file), with the page's token, as
 * Douai.api does for JSON: the parsed answer, or an ApiError. */
export async function sendText(method, path, text, type) {
  const token = (await Douai.session()) || "";
  const r = await fetch(path, {
    method, body: text, headers: { Authorization: `Bearer ${token}`, "Content-Type": type },
  });
  const raw = await r.text();
  let data = null;
  try { data = raw ? JSON.parse(raw) : null; } catch { data = raw; }
  if (!r.ok) throw new ApiError(r.status, data);
  return { status: r.status, body: data };
}

/** The shop's orders from today to 6 days later (the list is redrawn when they changed). */
export async function refreshOrders() {
  const gen = state.generation;
  state.today = Douai.today();  // the page may stay open overnight
  const from = state.today;
  const r = await api("GET", `/api/orders?from=${from}&to=${addDays(from, DAYS - 1)}`);
  if (gen !== state.generation) return;
  state.orders = r.orders;
  hooks.orders();
}

/** The path of an order's action (public ids hold a ':'). */
export const orderPath = (id, action) => `/api/orders/${encodeURIComponent(id)}${action ? `/${action}` : ""}`;

// ---------------------------------------------------------------- days

const noon = (iso) => new Date(`${iso}T12:00:00`);
const isoOf = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;

export function addDays(iso, n) {
  const d = noon(iso);
  d.setDate(d.getDate() + n);
  return isoOf(d);
}

const longDay = new Intl.DateTimeFormat("fr-FR", { weekday: "long", day: "numeric", month: "long" });

/** "jeudi 19 septembre". */
export const dayLong = (iso) => longDay.format(noon(iso));

/** "aujourd'hui", "demain", else "jeudi 19 septembre" (with the weekday, in words). */
export function dayWords(iso) {
  const full = longDay.format(noon(iso));
  if (iso === state.today) return `aujourd'hui, ${full}`;
  if (iso === addDays(state.today, 1)) return `demain, ${full}`;
  return full;
}

export const capital = (text) => text.charAt(0).toUpperCase() + text.slice(1);
