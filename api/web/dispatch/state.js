// The page's state, the API calls shared by the panels, the polling loops in flight,
// and what the rounds have in common (colours, where each order is, who may move).
// Douai.* comes from common.js (a classic script loaded before the modules).

import { DASHES, MOVABLE, PALETTE } from "./labels.js";
import { poll } from "../lib/poll.js";

export const { api, ApiError, km, hm, num } = Douai;
export const $ = (sel) => document.querySelector(sel);

export const POLL_MS = 1000;
export const LIVE_MS = 5000;

export const state = {
  date: null,
  orders: [],
  ordersSig: "",
  couriers: [],
  shopNames: new Map(),   // shop_id -> name
  search: "",             // the orders table shows the rows that contain it
  unchecked: new Set(),   // couriers the dispatcher left out of the next plan
  plan: null,
  selected: null,         // courier_id of the highlighted round
  colours: new Map(),     // courier_id -> {colour, dash}, kept while the plan is the same
  sort: { key: "order_id", dir: 1 },
  fitted: false,
  feedSeen: null,         // event keys already shown (null: first render)
  generation: 0,          // bumped when the day changes: late answers are dropped
  polls: {},              // name -> handle of the polling loops in flight
  seen: [],               // plan statuses shown since the last request (for the progress)
};

// What the page does when the plan or the orders change, and when the token is
// refused: set by main.js (the modules that draw import this one, not the reverse).
const hooks = { plan() {}, orders() {}, signIn() {} };

export function connect(fns) {
  Object.assign(hooks, fns);
}

// ---------------------------------------------------------------- polling loops

/** Start the loop `name` (see poll.js), ending the one of that name before it. */
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

/** `onError` of a loop: show the failure; retry after `wait` ms unless the API answered. */
export function retryOffline(where, wait) {
  return (err) => {
    handle(err, where);
    return err instanceof ApiError ? null : wait;
  };
}

// ---------------------------------------------------------------- messages

/** A refused token (401) or one that is not a dispatcher's (403). */
export const refused = (err) => err instanceof ApiError && (err.status === 401 || err.status === 403);

/** An API failure: a refused token goes back to the sign-in form, the rest is shown. */
export function handle(err, where) {
  if (err instanceof ApiError && err.status === 401) {
    Douai.signOut();
    hooks.signIn("Jeton refusé ou expiré : connectez-vous à nouveau.");
    return;
  }
  if (err instanceof ApiError && err.status === 403) {
    Douai.signOut();
    hooks.signIn("Ce jeton n'est pas celui d'un régulateur.");
    return;
  }
  const text = err instanceof ApiError ? err.message
    : "Serveur injoignable (réseau) : nouvel essai automatique.";
  notice(`${where ? `${where} : ` : ""}${text}`);
}

export function notice(text) {
  const el = $("#notice");
  el.textContent = text || "";
  el.hidden = !text;
}

/** Local HH:MM of an ISO instant. */
export function clockOf(iso) {
  if (!iso) return "—";
  return new Date(iso).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
}

export function cmp(a, b) {
  if (typeof a === "number" && typeof b === "number") return a - b;
  return String(a ?? "").localeCompare(String(b ?? ""), "fr", { numeric: true });
}

// ---------------------------------------------------------------- orders

const signature = (orders) => JSON.stringify(orders.map((o) => [o.order_id, o.status]));

export function setOrders(orders) {
  state.orders = orders;
  state.ordersSig = signature(orders);
  hooks.orders();
}

/** The day's orders again; redrawn only when an order came, went or changed status. */
export async function refreshOrders(gen) {
  const r = await api("GET", `/api/orders?date=${state.date}`);
  if (gen !== state.generation) return;
  if (signature(r.orders) !== state.ordersSig) setOrders(r.orders);
}

// ---------------------------------------------------------------- the plan

export const busy = (p) => Boolean(p && (p.status === "queued" || p.status === "running"));

export function setPlan(plan) {
  if (!plan || (state.plan && state.plan.id !== plan.id)) state.colours = new Map();
  state.plan = plan;
  for (const r of [...(plan?.rounds || [])].sort((a, b) => cmp(a.courier_id, b.courier_id))) colourOf(r.courier_id);
  if (state.selected && !(plan?.rounds || []).some((r) => r.courier_id === state.selected)) state.selected = null;
  hooks.plan();
}

export function colourOf(courierId) {
  if (!state.colours.has(courierId)) {
    const i = state.colours.size;
    state.colours.set(courierId, {
      colour: PALETTE[i % PALETTE.length],
      dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length],
    });
  }
  return state.colours.get(courierId);
}

/** Where each order is: courier_id of the round that hands it over. */
export function orderCourier() {
  const out = new Map();
  for (const r of state.plan?.rounds || []) {
    for (const s of r.stops) {
      if (s.kind === "delivery") for (const o of s.order_ids) out.set(o, r.courier_id);
    }
  }
  return out;
}

export function unassignedIds() {
  return new Set((state.plan?.unassigned || []).map((u) => u.order_id));
}

export function canMove() {
  const p = state.plan;
  return Boolean(p && p.status === "solved" && !p.withdrawn_at);
}

export function isMovable(orderId) {
  const o = state.orders.find((x) => x.order_id === orderId);
  return !o || MOVABLE.has(o.status);
}
