// The round on screen (the map and the step buttons aside): the network and the queue,
// the refused taps, a round of another day, the next stop's card and the other stops.

import { html, raw, render } from "../lib/html.js";
import { FINISHED, STEP_LABEL, WORK, kindText, over, placeText, toReturn, windowText } from "./round.js";
import { $, redraw, state } from "./state.js";
import { STORE, queued, read, write } from "./store.js";
import { clockOf, day, dayLabel, stepsTakenToday } from "./time.js";

const { hm, num } = Douai;

/** Online or not, since when the round is known, and what is still to send. */
export function renderSync(shown) {
  const waiting = queued().length;
  const saved = shown ? clockOf(shown.savedAt) : null;
  const net = $("net");
  net.className = state.online ? "online" : "offline";
  if (!state.online) {
    net.textContent = saved ? `Hors ligne — tournée enregistrée à ${saved}` : "Hors ligne";
  } else {
    net.textContent = saved ? `En ligne — tournée à jour à ${saved}` : "En ligne";
  }
  const queue = $("queue");
  if (waiting) {
    queue.className = "waiting";
    queue.textContent = waiting === 1 ? "1 action en attente d'envoi" : `${waiting} actions en attente d'envoi`;
  } else if (state.sentAt) {
    queue.className = "sent";
    queue.textContent = `Tout est envoyé (${clockOf(state.sentAt.toISOString())})`;
  } else {
    queue.className = "";
    queue.textContent = "";
  }
}

/** The taps the server refused, until the courier says they read them. */
export function renderRefusals() {
  const list = read(STORE.refusals, []);
  const box = $("refusals");
  box.hidden = !list.length;
  if (!list.length) {
    render(box, "");
    return;
  }
  render(box, html`<h2>Action refusée par le serveur</h2>
    <ul>${list.map((r) => html`<li>${r}</li>`)}</ul>
    <button type="button" id="refusals-ok">J'ai compris</button>`);
  $("refusals-ok").addEventListener("click", () => {
    write(STORE.refusals, []);
    redraw();
  });
}

/** A round opened on another day than its own: said plainly (the caller then shows no
 * step buttons). Whether steps can be recorded now. */
export function renderOtherDay() {
  const box = $("otherday");
  const today = stepsTakenToday();
  box.hidden = today;
  box.textContent = today ? "" : (day > Douai.today()
    ? `Cette tournée est celle du ${dayLabel()}, pas celle d'aujourd'hui : les étapes s'enregistreront ce jour-là.`
    : `Cette tournée est celle du ${dayLabel()}, un jour passé : les étapes ne peuvent plus être enregistrées.`);
  return today;
}

/** The orders to pick up or hand over: id, weight, volume, shop. */
function ordersHtml(stop) {
  if (!stop.orders.length) return "";
  const rows = stop.orders.map((o) => {
    // A parcel brought back failed at its door: that is why it is here, not a problem.
    const dropped = o.status === "cancelled" || (o.status === "failed" && stop.kind !== "return");
    const shop = stop.kind === "delivery" && o.shop_name ? ` · ${o.shop_name}` : "";
    const note = dropped ? html` <strong>(${o.status === "cancelled" ? "annulée" : "échec"})</strong>` : "";
    const size = `${num(o.weight_kg)} kg · ${num(o.volume_l)} L`;
    return html`<li class="${dropped ? "dropped" : ""}"><span class="oid">${o.order_id}</span> · ${size}${shop}${note}</li>`;
  });
  const what = { pickup: "À récupérer", return: "À rapporter" }[stop.kind] || "À remettre";
  return html`<p class="what">${what} (${stop.orders.length})</p><ul class="orders">${rows}</ul>${customerHtml(stop)}`;
}

/** Who the courier meets at the door: name, a phone to call, the notes (door code…). */
function customerHtml(stop) {
  if (stop.kind !== "delivery") return "";
  const people = [...new Map(stop.orders.filter((o) => o.customer_name || o.customer_phone || o.delivery_notes)
    .map((o) => [`${o.customer_name}|${o.customer_phone}|${o.delivery_notes}`, o])).values()];
  return people.map((o) => html`<div class="customer">
    ${o.customer_name ? html`<p class="who">Client : <strong>${o.customer_name}</strong></p>` : ""}
    ${o.customer_phone ? html`<p><a class="call" href="tel:${o.customer_phone.replace(/[^+0-9]/g, "")}">Appeler ${o.customer_phone}</a></p>` : ""}
    ${o.delivery_notes ? html`<p class="notes">Instructions : ${o.delivery_notes}</p>` : ""}</div>`);
}

/** The next stop, big: where, when, what; or the end of the round. */
export function renderNext(round, numbers) {
  const el = $("next");
  const next = round.next;
  const done = round.stops.filter((s) => WORK.has(s.kind) && FINISHED.has(s.status)).length;
  const total = round.stops.filter((s) => WORK.has(s.kind)).length;
  const progress = html`<p class="progress">${done} / ${total} arrêts faits</p>`;
  el.dataset.stop = next ? next.stop_id : "";
  if (round.withdrawn_at) {
    el.className = "next finished withdrawn";
    render(el, html`<h2 id="next-title">Tournée retirée</h2>
      <p class="place">Le dispatch vous a retiré(e) de la journée à ${clockOf(round.withdrawn_at)} :
        vos arrêts restants sont confiés à d'autres livreurs. Les arrêts faits restent enregistrés.</p>
      ${progress}`);
    return;
  }
  const back = toReturn(round);
  if (back.length && (!next || next.kind === "end")) {
    // A failed parcel is still on board and its return stop is not there yet (the
    // server adds it; offline, it comes with the next sync).
    el.className = "next returning";
    render(el, html`<h2 id="next-title">Colis à rapporter</h2>
      <p class="place">${back.length} colis en échec encore à bord : ${back.join(", ")}.
        Un arrêt de retour va s'ajouter à votre tournée ; gardez ${back.length > 1 ? "ces colis" : "ce colis"} avec vous.</p>
      ${progress}`);
    return;
  }
  if (over(round)) {
    el.className = "next finished";
    render(el, html`<h2 id="next-title">Tournée terminée</h2>
      <p class="place">Retour au dépôt${next && next.eta ? `, prévu à ${hm(next.eta)}` : ""}</p>${progress}`);
    return;
  }
  const arrived = next.events.find((e) => e.type === "arrived");
  const slot = windowText(next);
  el.className = `next ${next.kind}`;
  render(el, html`
    <h2 id="next-title"><span class="num">${numbers.get(next.stop_id)}</span> Prochain arrêt · ${kindText(next)}</h2>
    <p class="place">${placeText(next)}</p>
    <p class="times">${slot ? html`<span>${slot}</span>` : ""}
      <span>Arrivée prévue <strong>${hm(next.eta)}</strong></span></p>
    ${arrived ? html`<p class="arrived">Arrivé à ${clockOf(arrived.at)}${arrived.waiting ? " (en attente d'envoi)" : ""}</p>` : ""}
    ${ordersHtml(next)}
    ${next.kind === "delivery" ? html`<p><button type="button" class="elsewhere" id="elsewhere">L'adresse est ailleurs : le client est ici</button>
      <span id="elsewhere-msg" role="status"></span></p>` : ""}
    ${progress}`);
  const button = el.querySelector("#elsewhere");
  if (button) button.addEventListener("click", () => addressElsewhere(next, el.querySelector("#elsewhere-msg")));
}

/** "L'adresse est ailleurs": the customer is where the phone is; the address is
 * corrected for the next orders. Needs the network and a recent position. */
async function addressElsewhere(stop, msg) {
  const fix = state.lastFix && Date.now() - state.lastFix.t < 120000 ? state.lastFix : null;
  if (!fix) {
    msg.textContent = "Position inconnue : activez la localisation du téléphone, puis réessayez.";
    return;
  }
  if (!confirm("Enregistrer votre position actuelle comme la bonne adresse de ce client ?")) return;
  try {
    await Douai.api("POST", `/api/stops/${stop.stop_id}/address-elsewhere`, { lon: fix.lon, lat: fix.lat });
    msg.textContent = "Adresse corrigée : merci.";
  } catch (e) {
    msg.textContent = e instanceof Douai.ApiError ? `Correction refusée : ${e.message}`
      : "Pas de réseau : réessayez dans un moment.";
  }
}

/** How a finished stop ended, and when. */
function doneText(stop) {
  const last = stop.events.find((e) => e.type === "failed") ||
    stop.events.find((e) => e.type === "picked_up" || e.type === "delivered" || e.type === "returned");
  if (stop.status === "cancelled") return "Annulé";
  if (!last) return "Fait";
  const when = `${STEP_LABEL[last.type]} à ${clockOf(last.at)}`;
  const why = last.type === "failed" && last.reason ? ` : ${last.reason}` : "";
  return `${when}${why}${last.waiting ? " (en attente d'envoi)" : ""}`;
}

function stopItem(stop, numbers, finished) {
  const status = finished ? html`<p class="state ${stop.status}">${doneText(stop)}</p>`
    : stop.status === "arrived" ? html`<p class="state arrived">Arrivé</p>` : "";
  const slot = windowText(stop);
  const times = WORK.has(stop.kind) ? html`<p class="times">${slot}${slot ? " · " : ""}prévu ${hm(stop.eta)}</p>` : "";
  const orders = stop.orders.map((o) => o.order_id).join(", ");
  return html`<li class="stop ${finished ? "finished" : ""} ${stop.kind}" data-stop="${stop.stop_id}">
    <span class="num">${numbers.get(stop.stop_id)}</span>
    <div><p class="kind">${kindText(stop)}</p><p class="place">${placeText(stop)}</p>
    ${times}${orders ? html`<p class="ids">${orders}</p>` : ""}${status}</div></li>`;
}

/** The other stops: still to do in order, then the finished ones folded away. */
export function renderRest(round, numbers) {
  const others = round.stops.filter((s) => s !== round.next && s.kind !== "start");
  const todo = others.filter((s) => !FINISHED.has(s.status) && s.kind !== "end");
  const end = others.filter((s) => s.kind === "end");
  const finished = round.stops.filter((s) => WORK.has(s.kind) && s !== round.next && FINISHED.has(s.status));
  const closed = over(round);
  const ahead = todo.concat(end).map((s) => stopItem(s, numbers, false));
  const open = closed || state.doneOpen ? raw(" open") : "";
  const el = $("rest");
  render(el, html`
    ${ahead.length ? html`<h2>Ensuite</h2><ol class="stops">${ahead}</ol>` : ""}
    ${finished.length ? html`<details class="done-list"${open}><summary>Arrêts terminés (${finished.length})</summary>
      <ol class="stops">${finished.map((s) => stopItem(s, numbers, true))}</ol></details>` : ""}`);
  // Re-rendering must not fold the list the courier unfolded.
  const details = el.querySelector("details");
  if (details && !closed) details.addEventListener("toggle", () => { state.doneOpen = details.open; });
}
