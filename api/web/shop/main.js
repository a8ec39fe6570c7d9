// The shop's page: its orders of today and the coming days (mark the parcel ready, or
// ready later; cancel; print its label), a new order with the address chosen among the
// places the API proposes, and a CSV import. Native ES modules over the JSON API, no
// build step; Douai.* (token, API calls, French formats) comes from common.js.
//
//   state.js   state, shared API calls, messages, days
//   words.js   French for the API's statuses and field names
//   orders.js  "Mes commandes" and their actions      label.js  a parcel's label, printed
//   form.js    "Nouvelle commande" (address proposals) import.js the CSV import

import { render, renderChanged } from "../lib/html.js";
import { fillChoices, resetForm, wireForm } from "./form.js";
import { fillExample, wireImport } from "./import.js";
import { closeLabel, wireLabel } from "./label.js";
import { renderOrders, resetOrders, wireOrders } from "./orders.js";
import { $, REFRESH_MS, api, connect, follow, handle, notice, refreshOrders, state, stopAll } from "./state.js";

connect({ signIn: showSignIn, orders: renderOrders });

let wired = false;

function start() {
  if (!Douai.token()) {
    showSignIn();
    return;
  }
  showApp();
}

function showSignIn(message) {
  stopAll();
  state.generation += 1;
  $("#app").hidden = true;
  // Nothing of the customers stays in the page (a computer shared at the counter).
  resetOrders();
  renderChanged($("#orders-list"), "");
  render($("#import-result"), "");
  resetForm();
  closeLabel();
  Douai.signIn($("#signin"), () => showApp(), message);
}

function showApp() {
  render($("#signin"), "");
  $("#app").hidden = false;
  if (!wired) {
    wire();
    wired = true;
  }
  load();
}

/** The shop (name, slots, parcel sizes), then its orders, read again every 30 s. */
async function load() {
  const gen = ++state.generation;
  stopAll();
  notice("");
  resetOrders();
  state.today = Douai.today();
  try {
    const shop = await api("GET", "/api/shops/me");
    if (gen !== state.generation) return;
    state.shop = shop;
    $("#shop-name").textContent = shop.name;
    document.title = `${shop.name} — Livraison Douai`;
    fillChoices();
    await refreshOrders();
    if (gen !== state.generation) return;
    follow("orders", refreshOrders, {
      every: REFRESH_MS, delay: REFRESH_MS,
      onError: (err) => (handle(err, "Mise à jour de la liste") ? null : REFRESH_MS),
    });
  } catch (err) {
    handle(err, "Chargement");
  }
}

function wire() {
  $("#signout").addEventListener("click", () => {
    Douai.signOut();
    showSignIn();
  });
  fillExample();
  wireOrders();
  wireForm();
  wireImport();
  wireLabel();
}

start();
