// The published plan followed live: every 5 s the couriers' positions, the stops'
// statuses and events, without redrawing the map (the whole plan is drawn again only
// when its revision moved), and the feed of stop events.

import { html, renderChanged } from "../lib/html.js";
import { EVENT, STOP_KIND } from "./labels.js";
import { drawPositions, restyleStops } from "./map.js";
import { renderChanges } from "./moves.js";
import { renderRoundDetail } from "./rounds.js";
import {
  $, LIVE_MS, api, cmp, follow, handle, notice, refreshOrders, refused, setPlan, state, stopFollowing,
} from "./state.js";

const WAITING = "Le suivi démarre quand le plan est publié.";

/** Follow the plan live while it is published and solved; else say when it will start. */
export function followLive() {
  const p = state.plan;
  if (!(p && p.published && p.status === "solved")) {
    stopFollowing("live");
    $("#live-state").textContent = WAITING;
    return;
  }
  const gen = state.generation;
  const planId = p.id;
  follow("live", async () => {
    if (!state.plan || state.plan.id !== planId) return null;
    const [plan, pos] = await Promise.all([
      api("GET", `/api/plans/${planId}?geometry=false`),
      api("GET", `/api/couriers/positions?date=${state.date}`),
    ]);
    if (gen !== state.generation || state.plan.id !== planId) return null;
    if (plan.revision !== state.plan.revision || !plan.published) {
      const full = await api("GET", `/api/plans/${planId}`);
      if (gen !== state.generation) return null;
      setPlan(full);  // redraws the rounds, keeps the zoom (and follows again if still published)
    } else {
      updateStops(plan);
    }
    drawPositions(pos.positions);
    await refreshOrders(gen);
    const now = new Date().toLocaleTimeString("fr-FR");
    $("#live-state").textContent = `Suivi en direct : mis à jour à ${now} (toutes les 5 s).`;
    notice("");
    return state.plan;
  }, {
    every: LIVE_MS,
    until: (plan) => !plan?.published,
    onError: (err) => {
      handle(err, "Suivi en direct");
      return refused(err) ? null : LIVE_MS;
    },
  });
}

/** New statuses and events of the same rounds: restyle the stops that changed. */
function updateStops(p) {
  const fresh = new Map();
  for (const r of p.rounds) for (const s of r.stops) fresh.set(s.stop_id, s);
  for (const r of state.plan.rounds) r.stops = r.stops.map((s) => fresh.get(s.stop_id) || s);
  state.plan.changes = p.changes;
  state.plan.summary = p.summary;
  restyleStops();
  renderRoundDetail();
  renderChanges();
  renderFeed();
}

function eventText(e) {
  const orders = e.stop.order_ids.join(", ");
  let what = `${EVENT[e.type] || e.type} ${orders}`;
  if (e.type === "arrived") {
    what = `arrivé (${STOP_KIND[e.stop.kind] || e.stop.kind}${e.stop.shop_id ? ` chez ${e.stop.shop_id}` : ""}) ${orders}`;
  }
  if (e.type === "picked_up" && e.stop.shop_id) what = `récupéré ${orders} chez ${e.stop.shop_id}`;
  if (e.reason) what += ` : ${e.reason}`;
  return what;
}

/** The stop events of the plan, newest first: "10:42 bike-01 — livré O017". */
export function renderFeed() {
  const items = [];
  for (const r of state.plan?.rounds || []) {
    for (const s of r.stops) {
      for (const e of s.events || []) items.push({ ...e, courier: r.courier_id, stop: s, key: `${s.stop_id}:${e.type}` });
    }
  }
  items.sort((a, b) => cmp(b.at, a.at));
  const first = state.feedSeen === null;
  const seen = state.feedSeen || new Set();
  renderChanged($("#feed"), items.length ? items.slice(0, 60).map((e) => {
    const isNew = !first && !seen.has(e.key);
    return html`<li class="ev-${e.type}${isNew ? " new" : ""}"><time datetime="${e.at}">${String(e.at).slice(11, 16)}</time>
      <strong>${e.courier}</strong> — ${eventText(e)}</li>`;
  }) : html`<li class="muted">Aucun événement pour l'instant.</li>`);
  state.feedSeen = new Set(items.map((e) => e.key));
}
