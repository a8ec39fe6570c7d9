// The dispatcher's page: the day's orders (map and sortable table), planning with its
// progress, the rounds per courier, the unassigned orders, moves, publishing, and the
// couriers followed live (positions and stop events every 5 s, without redrawing the
// map). Native ES modules over the JSON API, no build step; Douai.* (token, API calls,
// French formats) and L (Leaflet) come from the classic scripts loaded before.
//
//   state.js   state, shared API calls, the polling loops in flight (../lib/poll.js)
//   ../lib/html.js  templates that escape by default (shared with the courier page)
//   map.js     orders, rounds, stops and couriers on the map
//   orders.js  the orders table      rounds.js  rounds, a round's stops, unassigned
//   plan.js    planning, progress, publishing
//   moves.js   moving an order, the plan's changes
//   place.js   correcting where a customer is (a pin dragged on the map)
//   messages.js  the day's e-mails and SMS to customers: sent, waiting, failed
//   live.js    positions and stop events every 5 s, the feed

import { render, renderChanged } from "../lib/html.js";
import { followLive, renderFeed } from "./live.js";
import { drawOrders, drawRounds, fit, showMap } from "./map.js";
import { pickOrder, renderChanges, renderMoveForm, requestAbsence, requestMove } from "./moves.js";
import { loadMessages } from "./messages.js";
import { renderOrders, searchOrders, sortOrders } from "./orders.js";
import { savePlace, startPlacing, stopPlacing } from "./place.js";
import {
  checkAll, countCouriers, followPlan, publish, renderCourierBoxes, renderPlanInfo, renderProgress, requestPlan,
  withdrawPlan,
} from "./plan.js";
import { renderRoundDetail, renderRounds, renderUnassigned, selectRound } from "./rounds.js";
import { $, api, busy, connect, handle, notice, setOrders, setPlan, state, stopAll } from "./state.js";

connect({
  plan() {
    renderPlanInfo();
    renderRounds();
    drawRounds();
    renderRoundDetail();
    renderUnassigned();
    renderChanges();
    renderMoveForm();
    renderOrders();
    drawOrders();
    renderFeed();
    followLive();
  },
  orders() {
    renderOrders();
    drawOrders();
    renderMoveForm();
  },
  signIn: showSignIn,
});

let wired = false;

function start() {
  const asked = new URLSearchParams(location.search).get("date");
  state.date = /^\d{4}-\d{2}-\d{2}$/.test(asked || "") ? asked : Douai.today();
  if (!Douai.token()) {
    showSignIn();
    return;
  }
  showApp();
}

function showSignIn(message) {
  stopAll();
  $("#app").hidden = true;
  Douai.signIn($("#signin"), () => showApp(), message);
}

function showApp() {
  render($("#signin"), "");
  $("#app").hidden = false;
  $("#day").value = state.date;
  showMap($("#map"), { onRound: selectRound, onOrder: pickOrder });
  if (!wired) {
    wire();
    wired = true;
  }
  load();
}

/** The day's orders, couriers and newest plan (followed when it is still computing). */
async function load() {
  const gen = ++state.generation;
  stopAll();
  notice("");
  state.plan = null;
  state.selected = null;
  state.colours = new Map();
  state.feedSeen = null;
  state.fitted = false;
  state.seen = [];
  $("#progress").textContent = "";
  renderChanged($("#feed"), "");
  $("#move-msg").textContent = "";
  $("#place-done").textContent = "";
  stopPlacing();
  const date = state.date;
  try {
    const [orders, couriers, plans, shops] = await Promise.all([
      api("GET", `/api/orders?date=${date}`),
      api("GET", "/api/couriers"),
      api("GET", `/api/plans?date=${date}`),
      api("GET", "/api/shops?retired=true"),
    ]);
    if (gen !== state.generation) return;
    state.shopNames = new Map(shops.shops.map((sh) => [sh.shop_id, sh.name]));
    setOrders(orders.orders);
    state.couriers = couriers.couriers;
    renderCourierBoxes();
    if (plans.length) {
      const newest = plans[0];
      if (busy(newest)) {
        setPlan(newest);
        followPlan(newest.id);
      } else {
        setPlan(await api("GET", `/api/plans/${newest.id}`));
        renderProgress(state.plan);
      }
    } else {
      setPlan(null);
    }
    if (gen !== state.generation) return;
    fit();
    loadMessages();
  } catch (err) {
    handle(err, "Chargement du jour");
  }
}

function wire() {
  $("#day").addEventListener("change", (ev) => {
    if (!ev.target.value) return;
    state.date = ev.target.value;
    history.replaceState(null, "", `${location.pathname}?date=${state.date}`);
    load();
  });
  $("#signout").addEventListener("click", () => {
    Douai.signOut();
    showSignIn();
  });
  $("#plan-form").addEventListener("submit", requestPlan);
  $("#courier-boxes").addEventListener("change", countCouriers);
  $("#all-couriers").addEventListener("click", () => checkAll(true));
  $("#no-couriers").addEventListener("click", () => checkAll(false));
  $("#publish-button").addEventListener("click", publish);
  $("#withdraw-button").addEventListener("click", withdrawPlan);
  document.addEventListener("submit", (ev) => {
    if (ev.target.closest("#absence-form")) requestAbsence(ev);
  });
  $("#move-form").addEventListener("submit", requestMove);
  $("#place-save").addEventListener("click", savePlace);
  $("#place-cancel").addEventListener("click", stopPlacing);
  $("#messages-refresh").addEventListener("click", loadMessages);
  $("#rounds tbody").addEventListener("click", (ev) => {
    const tr = ev.target.closest("tr[data-courier]");
    if (tr) selectRound(tr.dataset.courier);
  });
  $("#rounds tbody").addEventListener("keydown", (ev) => {
    const tr = ev.target.closest("tr[data-courier]");
    if (tr && (ev.key === "Enter" || ev.key === " ")) {
      ev.preventDefault();
      selectRound(tr.dataset.courier);
    }
  });
  document.addEventListener("click", (ev) => {
    const pick = ev.target.closest(".pick-order");
    if (pick) pickOrder(pick.dataset.order);
    const place = ev.target.closest(".place-order");
    if (place) startPlacing(place.dataset.order);
    if (ev.target.closest("#unselect")) selectRound(state.selected);
  });
  $("#orders-search").addEventListener("input", (ev) => searchOrders(ev.target.value));
  $("#orders thead").addEventListener("click", (ev) => {
    const th = ev.target.closest("th[data-sort]");
    if (th) sortOrders(th.dataset.sort);
  });
}

start();
