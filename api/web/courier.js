// The courier's phone: today's round on a map and as a list, one big button per step,
// and a round that keeps working in a dead zone.
//
// Offline design: every tap goes into a queue kept in localStorage (with the tap's own
// time and position) and is applied to the displayed round at once; the queue is then
// sent in order, now or when the network comes back. The last round received is kept
// too, so the page (cached by courier-sw.js) opens again with no network at all.
"use strict";

(() => {
  const STORE = {
    round: "douai.courier.round",        // {token, date, savedAt, data}: the last round received
    queue: "douai.courier.queue",        // taps not yet accepted by the server, oldest first
    positions: "douai.courier.positions", // positions not yet sent
    refusals: "douai.courier.refusals",  // taps the server refused, until the courier reads them
  };
  const RETRY_MS = 10000;          // how often a waiting queue is sent again
  const REFRESH_MS = 60000;        // how often the round is read again (re-planning)
  const POSITION_EVERY_MS = 30000; // at most one position every 30 s (battery, data)
  const MAX_POSITIONS = 500;       // the API's largest batch
  const HOLD_OFF_MS = 600;         // new step buttons ignore taps this long (double taps)
  const FINISHED = new Set(["done", "failed", "cancelled"]);
  const WORK = new Set(["pickup", "delivery"]);  // the stops with something to do (not start, end)
  const STEP_LABEL = { arrived: "Arrivé", picked_up: "Récupéré", delivered: "Remis", failed: "Échec" };
  const REASONS = {
    pickup: ["Commerce fermé", "Colis pas prêt", "Adresse introuvable", "Colis endommagé", "Autre"],
    delivery: ["Client absent", "Adresse introuvable", "Colis refusé", "Colis endommagé", "Autre"],
  };

  const $ = (id) => document.getElementById(id);
  const day = new URLSearchParams(location.search).get("date") || Douai.today();
  const state = {
    online: navigator.onLine,
    failing: null,      // the stop whose failure reason is being chosen
    lastFix: null,      // the latest position {lon, lat, t} (t: when, in ms)
    lastQueuedFix: 0,   // when a position was last queued (ms)
    sentAt: null,       // when the queue was last emptied by sending (Date)
    watchId: null,
    timers: [],
    map: null,
    layers: null,
    fitted: false,
    barKey: null,       // the step the action bar shows (re-drawn only when it changes)
    doneOpen: false,    // whether the courier unfolded the finished stops
    lastStepAt: 0,      // when the last step button was tapped (ms)
  };

  // ---- storage -------------------------------------------------------------------

  function read(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) ?? fallback; } catch { return fallback; }
  }
  function write(key, value) {
    localStorage.setItem(key, JSON.stringify(value));
  }

  /** The saved round, only if it is this token's and this day's (a shared phone). */
  function savedRound() {
    const saved = read(STORE.round, null);
    const token = localStorage.getItem(`douai.token.${Douai.role}`);
    return saved && saved.token === token && saved.date === day ? saved : null;
  }

  function saveRound(data) {
    const token = localStorage.getItem(`douai.token.${Douai.role}`);
    write(STORE.round, { token, date: day, savedAt: new Date().toISOString(), data });
  }

  function forgetAll() {
    Object.values(STORE).forEach((k) => localStorage.removeItem(k));
  }

  // ---- time ----------------------------------------------------------------------

  /** ISO 8601 with the phone's offset: the server keeps the tap's own instant. */
  function isoLocal(d) {
    const p = (n, w = 2) => String(Math.abs(Math.trunc(n))).padStart(w, "0");
    const off = -d.getTimezoneOffset();
    return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:` +
      `${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}` +
      `${off >= 0 ? "+" : "-"}${p(off / 60)}:${p(off % 60)}`;
  }
  const clockOf = (iso) => new Date(iso).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });

  function dayLabel() {
    const d = new Date(`${day}T12:00:00`);
    return d.toLocaleDateString("fr-FR", { weekday: "long", day: "numeric", month: "long", year: "numeric" });
  }

  // ---- the displayed round: the saved one with the queued taps applied ------------

  /** A stop's status from its events, as the server derives it (failed wins). */
  function statusOf(stop) {
    const types = new Set(stop.events.map((e) => e.type));
    if (types.has("failed")) return "failed";
    if (types.has("picked_up") || types.has("delivered")) return "done";
    if (stop.status === "cancelled") return "cancelled";
    if (types.has("arrived")) return "arrived";
    return stop.status;
  }

  /** The first stop after the start that is not finished (the server's rule). */
  function nextStop(stops) {
    return stops.find((s) => s.kind !== "start" && !FINISHED.has(s.status)) || null;
  }

  /** The round as the courier should see it: taps waiting to be sent already count. */
  function displayedRound() {
    const saved = savedRound();
    if (!saved) return null;
    const round = structuredClone(saved.data);
    for (const tap of read(STORE.queue, [])) {
      const stop = round.stops.find((s) => s.stop_id === tap.stop_id);
      if (!stop) continue;
      if (!stop.events.some((e) => e.type === tap.type)) {
        stop.events.push({ type: tap.type, at: tap.at, reason: tap.reason, waiting: true });
      }
      stop.status = statusOf(stop);
    }
    const started = round.stops.some((s) => s.events.length);
    round.stops.forEach((s) => { if (s.kind === "start" && started) s.status = "done"; });
    round.next = nextStop(round.stops);
    return { round, savedAt: saved.savedAt };
  }

  /** The number shown on the map and in the list: work stops count from 1. */
  function numbering(stops) {
    const numbers = new Map();
    let n = 0;
    for (const s of stops) numbers.set(s.stop_id, WORK.has(s.kind) ? String(++n) : "D");
    return numbers;
  }

  // ---- rendering -----------------------------------------------------------------

  /** Whether taps can be recorded now: the server takes a round's steps on its own day
   * only (and within an hour after its midnight, for a round that ran late). */
  function stepsTakenToday() {
    if (day === Douai.today()) return true;
    const now = new Date();
    const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, 12);
    const p = (n) => String(n).padStart(2, "0");
    const y = `${yesterday.getFullYear()}-${p(yesterday.getMonth() + 1)}-${p(yesterday.getDate())}`;
    return day === y && now.getHours() < 1;
  }

  /** A round opened on another day than its own: said plainly, and no step buttons. */
  function renderOtherDay() {
    const box = $("otherday");
    const today = stepsTakenToday();
    box.hidden = today;
    box.textContent = today ? "" : (day > Douai.today()
      ? `Cette tournée est celle du ${dayLabel()}, pas celle d'aujourd'hui : les étapes s'enregistreront ce jour-là.`
      : `Cette tournée est celle du ${dayLabel()}, un jour passé : les étapes ne peuvent plus être enregistrées.`);
    return today;
  }

  function render() {
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

  function renderSync(shown) {
    const waiting = read(STORE.queue, []).length;
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

  function renderRefusals() {
    const list = read(STORE.refusals, []);
    const box = $("refusals");
    box.hidden = !list.length;
    if (!list.length) { box.innerHTML = ""; return; }
    box.innerHTML = `<h2>Action refusée par le serveur</h2>
      <ul>${list.map((r) => `<li>${Douai.esc(r)}</li>`).join("")}</ul>
      <button type="button" id="refusals-ok">J'ai compris</button>`;
    $("refusals-ok").addEventListener("click", () => { write(STORE.refusals, []); render(); });
  }

  const KIND = { pickup: "Retrait au commerce", delivery: "Livraison au client", start: "Départ", end: "Retour au dépôt" };

  /** What kind of stop, in words; a pickup without a shop is at the hub. */
  function kindText(stop) {
    if (stop.kind === "pickup" && !stop.orders.some((o) => o.shop_id)) return "Retrait au dépôt";
    return KIND[stop.kind];
  }

  function windowText(stop) {
    const w = stop.window;
    if (!w || (!w.from && !w.to)) return "";
    const label = stop.kind === "pickup" ? "Retrait possible" : "Créneau client";
    if (!w.to) return `${label} dès ${Douai.hm(w.from)}`;
    if (!w.from) return `${label} jusqu'à ${Douai.hm(w.to)}`;
    return `${label} ${Douai.hm(w.from)}–${Douai.hm(w.to)}`;
  }

  /** The orders to pick up or hand over: id, weight, volume, shop. */
  function ordersHtml(stop) {
    if (!stop.orders.length) return "";
    const rows = stop.orders.map((o) => {
      const dropped = o.status === "cancelled" || o.status === "failed";
      const shop = stop.kind === "delivery" && o.shop_name ? ` · ${Douai.esc(o.shop_name)}` : "";
      const note = dropped ? ` <strong>(${o.status === "cancelled" ? "annulée" : "échec"})</strong>` : "";
      return `<li class="${dropped ? "dropped" : ""}"><span class="oid">${Douai.esc(o.order_id)}</span>` +
        ` · ${Douai.num(o.weight_kg)} kg · ${Douai.num(o.volume_l)} L${shop}${note}</li>`;
    });
    const what = stop.kind === "pickup" ? "À récupérer" : "À remettre";
    return `<p class="what">${what} (${stop.orders.length})</p><ul class="orders">${rows.join("")}</ul>`;
  }

  function placeText(stop) {
    if (stop.address) return stop.address;
    if (stop.kind === "pickup") return "Dépôt";  // orders without a shop wait at the hub
    return stop.kind === "end" ? "Dépôt (fin de tournée)" : stop.kind === "start" ? "Dépôt (départ)" : "Adresse inconnue";
  }

  function renderNext(round, numbers) {
    const el = $("next");
    const next = round.next;
    const done = round.stops.filter((s) => WORK.has(s.kind) && FINISHED.has(s.status)).length;
    const total = round.stops.filter((s) => WORK.has(s.kind)).length;
    const progress = `<p class="progress">${done} / ${total} arrêts faits</p>`;
    el.dataset.stop = next ? next.stop_id : "";
    if (!next || next.kind === "end") {
      el.className = "next finished";
      el.innerHTML = `<h2 id="next-title">Tournée terminée</h2>
        <p class="place">Retour au dépôt${next && next.eta ? `, prévu à ${Douai.hm(next.eta)}` : ""}</p>${progress}`;
      return;
    }
    const arrived = next.events.find((e) => e.type === "arrived");
    el.className = `next ${next.kind}`;
    el.innerHTML = `
      <h2 id="next-title"><span class="num">${numbers.get(next.stop_id)}</span> Prochain arrêt · ${kindText(next)}</h2>
      <p class="place">${Douai.esc(placeText(next))}</p>
      <p class="times">${windowText(next) ? `<span>${windowText(next)}</span>` : ""}
        <span>Arrivée prévue <strong>${Douai.hm(next.eta)}</strong></span></p>
      ${arrived ? `<p class="arrived">Arrivé à ${clockOf(arrived.at)}${arrived.waiting ? " (en attente d'envoi)" : ""}</p>` : ""}
      ${ordersHtml(next)}
      ${progress}`;
  }

  function doneText(stop) {
    const last = stop.events.find((e) => e.type === "failed") ||
      stop.events.find((e) => e.type === "picked_up" || e.type === "delivered");
    if (stop.status === "cancelled") return "Annulé";
    if (!last) return "Fait";
    const when = `${STEP_LABEL[last.type]} à ${clockOf(last.at)}`;
    const why = last.type === "failed" && last.reason ? ` : ${last.reason}` : "";
    return `${when}${why}${last.waiting ? " (en attente d'envoi)" : ""}`;
  }

  function stopItem(stop, numbers, finished) {
    const status = finished ? `<p class="state ${stop.status}">${Douai.esc(doneText(stop))}</p>` :
      stop.status === "arrived" ? "<p class=\"state arrived\">Arrivé</p>" : "";
    const times = WORK.has(stop.kind)
      ? `<p class="times">${windowText(stop)}${windowText(stop) ? " · " : ""}prévu ${Douai.hm(stop.eta)}</p>` : "";
    const orders = stop.orders.map((o) => Douai.esc(o.order_id)).join(", ");
    return `<li class="stop ${finished ? "finished" : ""} ${stop.kind}" data-stop="${stop.stop_id}">
      <span class="num">${numbers.get(stop.stop_id)}</span>
      <div><p class="kind">${kindText(stop)}</p><p class="place">${Douai.esc(placeText(stop))}</p>
      ${times}${orders ? `<p class="ids">${orders}</p>` : ""}${status}</div></li>`;
  }

  /** The other stops: still to do in order, then the finished ones folded away. */
  function renderRest(round, numbers) {
    const others = round.stops.filter((s) => s !== round.next && s.kind !== "start");
    const todo = others.filter((s) => !FINISHED.has(s.status) && s.kind !== "end");
    const end = others.filter((s) => s.kind === "end");
    const finished = round.stops.filter((s) => WORK.has(s.kind) && s !== round.next && FINISHED.has(s.status));
    const over = !round.next || round.next.kind === "end";
    $("rest").innerHTML = `
      ${todo.length || end.length ? `<h2>Ensuite</h2><ol class="stops">${todo.concat(end).map((s) => stopItem(s, numbers, false)).join("")}</ol>` : ""}
      ${finished.length ? `<details class="done-list"${over || state.doneOpen ? " open" : ""}><summary>Arrêts terminés (${finished.length})</summary>
        <ol class="stops">${finished.map((s) => stopItem(s, numbers, true)).join("")}</ol></details>` : ""}`;
    // Re-rendering must not fold the list the courier unfolded.
    const details = $("rest").querySelector("details");
    if (details && !over) details.addEventListener("toggle", () => { state.doneOpen = details.open; });
  }

  // ---- the big buttons -------------------------------------------------------------

  function renderActions(round) {
    const bar = $("actions");
    const next = round.next;
    const arrived = !!next && next.events.some((e) => e.type === "arrived");
    if (next && state.failing !== next.stop_id) state.failing = null;
    // Same step as on screen: leave the bar alone (a reason being typed stays).
    const key = next && next.kind !== "end" ? `${next.stop_id}:${arrived}:${state.failing}` : "";
    if (key === state.barKey) return;
    state.barKey = key;
    if (!key) { bar.hidden = true; bar.innerHTML = ""; return; }
    bar.hidden = false;
    if (state.failing === next.stop_id) { renderReasons(bar, next); return; }
    if (!arrived) {
      bar.innerHTML = `<button type="button" class="step primary" data-step="arrived">Arrivé</button>`;
    } else {
      const finish = next.kind === "pickup" ? "picked_up" : "delivered";
      bar.innerHTML = `<div class="row">
        <button type="button" class="step fail" data-step="fail">Échec</button>
        <button type="button" class="step primary" data-step="${finish}">${STEP_LABEL[finish]}</button></div>`;
    }
    bar.querySelectorAll("button").forEach((b) => b.addEventListener("click", () => onStep(next, b.dataset.step)));
    holdOff(bar);
  }

  /** Right after a step the next step's button sits where the finger was: a double tap
   * must not mark a parcel handed over, so the new buttons wait a moment. */
  function holdOff(bar) {
    const wait = state.lastStepAt + HOLD_OFF_MS - Date.now();
    if (wait <= 0) return;
    const buttons = [...bar.querySelectorAll("button")];
    buttons.forEach((b) => { b.disabled = true; });
    setTimeout(() => buttons.forEach((b) => { b.disabled = false; }), wait);
  }

  function hideActions() {
    $("actions").hidden = true;
    $("actions").innerHTML = "";
    state.barKey = null;
  }

  /** The short list of reasons; "Autre" asks for a word or two. */
  function renderReasons(bar, stop) {
    const reasons = REASONS[stop.kind] || REASONS.delivery;
    bar.innerHTML = `<p class="ask">Pourquoi l'échec ?</p>
      <div class="reasons">${reasons.map((r) => `<button type="button" class="reason" data-reason="${Douai.esc(r)}">${Douai.esc(r)}</button>`).join("")}</div>
      <div class="other" hidden><label for="other-reason">Précisez</label>
        <input id="other-reason" type="text" maxlength="200" autocomplete="off">
        <button type="button" class="step primary" data-other>Valider l'échec</button></div>
      <button type="button" class="cancel" data-cancel>Annuler</button>`;
    bar.querySelectorAll("[data-reason]").forEach((b) => b.addEventListener("click", () => {
      if (b.dataset.reason !== "Autre") return fail(stop, b.dataset.reason);
      bar.querySelector(".other").hidden = false;
      bar.querySelector("#other-reason").focus();
    }));
    bar.querySelector("[data-other]").addEventListener("click", () => {
      const text = bar.querySelector("#other-reason").value.trim();
      fail(stop, text ? `Autre : ${text}` : "Autre");
    });
    bar.querySelector("[data-cancel]").addEventListener("click", () => { state.failing = null; render(); });
    holdOff(bar);
  }

  function onStep(stop, step) {
    state.lastStepAt = Date.now();
    if (step === "fail") { state.failing = stop.stop_id; render(); return; }
    queueTap(stop, step, null);
  }

  function fail(stop, reason) {
    state.failing = null;
    state.lastStepAt = Date.now();
    queueTap(stop, "failed", reason);
  }

  /** A tap: queued with its own time and place, shown at once, then sent. */
  function queueTap(stop, type, reason) {
    const now = new Date();
    const fix = state.lastFix && now - state.lastFix.t < 120000 ? state.lastFix : null;
    const numbers = numbering(displayedRound().round.stops);
    const queue = read(STORE.queue, []);
    queue.push({
      id: `${now.getTime()}-${Math.random().toString(36).slice(2, 8)}`,
      stop_id: stop.stop_id, type, reason, at: isoLocal(now),
      lon: fix ? fix.lon : null, lat: fix ? fix.lat : null,
      label: `« ${STEP_LABEL[type]} » à l'arrêt ${numbers.get(stop.stop_id)} (${placeText(stop)})`,
    });
    write(STORE.queue, queue);
    render();
    window.scrollTo({ top: 0 });
    flushQueue();
  }

  // ---- sending ------------------------------------------------------------------

  let flushing = null;

  /** Send the queue (one run at a time: taps must reach the server in order). */
  function flushQueue() {
    if (!flushing) {
      document.body.dataset.sending = "yes";  // for tests and for the curious: a send is under way
      flushing = sendQueue().finally(() => { flushing = null; delete document.body.dataset.sending; });
    }
    return flushing;
  }

  async function sendQueue() {
    for (;;) {
      const { answered, stalled } = await sendWaiting();
      if (answered) {
        state.sentAt = new Date();
        await refreshRound();  // the server's word on what the taps changed
      }
      // Taps made while the round was being read have to go too, unless sending stalled.
      if (stalled || !read(STORE.queue, []).length) return;
    }
  }

  /** Send the queued taps, oldest first, until none is left or one has to wait. */
  async function sendWaiting() {
    let answered = 0;
    for (;;) {
      const tap = read(STORE.queue, [])[0];
      if (!tap) return { answered, stalled: false };
      const body = { type: tap.type, at: tap.at };
      if (tap.reason) body.reason = tap.reason;
      if (tap.lon !== null && tap.lat !== null) Object.assign(body, { lon: tap.lon, lat: tap.lat });
      try {
        const done = await Douai.api("POST", `/api/stops/${tap.stop_id}/events`, body);  // 201, or 200 for a retry
        keepStop(done.stop);
        setOnline(true);
      } catch (e) {
        // No network or server trouble: kept, and the retry timer sends it later.
        if (keepTrying(e)) return { answered, stalled: true };
        refuse(tap, e);
      }
      drop(tap.id);
      answered += 1;
      render();
    }
  }

  /** Whether a failed send should stay queued: no network, a server in trouble, or a
   * token refused (a new token may come); other answers will never change. */
  function keepTrying(e) {
    if (!(e instanceof Douai.ApiError)) { setOnline(false); return true; }
    setOnline(true);
    if (e.status === 401 || e.status === 403) { askToken(e.status); return true; }
    return e.status >= 500 || e.status === 408 || e.status === 429;
  }

  /** Put the server's view of a stop into the saved round, so that the tap, once out of
   * the queue, still shows before the whole round is read again. */
  function keepStop(stop) {
    const saved = read(STORE.round, null);
    const i = saved ? saved.data.stops.findIndex((s) => s.stop_id === stop.stop_id) : -1;
    if (i < 0) return;
    saved.data.stops[i] = stop;
    write(STORE.round, saved);
  }

  function drop(id) {
    write(STORE.queue, read(STORE.queue, []).filter((t) => t.id !== id));
  }

  /** Tell the courier, plainly, that a tap was refused and will not be sent again. */
  function refuse(tap, e) {
    const fields = e.body && Array.isArray(e.body.detail) ? e.body.detail.map((d) => d.field) : [];
    const why = e.status === 409 ? "l'arrêt était déjà terminé ou dans un autre état"
      : e.status === 404 ? "cet arrêt n'est plus sur votre tournée (tournée modifiée)"
        : fields.includes("at") ? "son heure ne tombe pas le jour de la tournée (vérifiez la date et l'heure du téléphone)"
          : "l'action était incomplète ou invalide";
    const refusals = read(STORE.refusals, []);
    refusals.push(`${tap.label}, faite à ${clockOf(tap.at)}, n'a pas été acceptée : ${why}. ` +
      `Elle est retirée de la file. (Détail : ${e.message})`);
    write(STORE.refusals, refusals);
  }

  function setOnline(online) {
    if (state.online === online) return;
    state.online = online;
    renderSync(displayedRound());
  }

  // ---- reading the round -----------------------------------------------------------

  async function refreshRound() {
    try {
      const data = await Douai.api("GET", `/api/couriers/me/round?date=${encodeURIComponent(day)}`);
      saveRound(data);
      setOnline(true);
      showProblem(null);
    } catch (e) {
      if (!(e instanceof Douai.ApiError)) setOnline(false);
      else if (e.status === 401 || e.status === 403) return askToken(e.status);
      else if (e.status === 404) return noRound();
      else showProblem(`Le serveur n'a pas pu donner la tournée (erreur ${e.status}) ; nouvel essai dans une minute.`);
    }
    return showRound();
  }

  function showRound() {
    $("signin").innerHTML = "";
    $("round").hidden = false;
    $("signout").hidden = false;
    if (!savedRound()) {
      if (!state.online) showProblem("Hors ligne, et aucune tournée n'est enregistrée sur ce téléphone pour ce jour. Elle s'affichera dès le retour du réseau.");
      $("next").innerHTML = "";
      $("rest").innerHTML = "";
      hideActions();
    }
    render();
  }

  function noRound() {
    localStorage.removeItem(STORE.round);
    showRound();
    showProblem(`Aucune tournée pour vous le ${dayLabel()} : pas de plan publié ce jour-là, ou vous n'y êtes pas.`);
    $("map").hidden = true;
  }

  function showProblem(text) {
    const p = $("problem");
    p.hidden = !text;
    p.textContent = text || "";
    if (!text) $("map").hidden = false;
  }

  // ---- signing in and out ----------------------------------------------------------

  function askToken(status) {
    const message = status === 403 ? "Ce jeton n'est pas celui d'un coursier. Utilisez le lien ou le jeton reçu pour votre tournée."
      : status === 401 ? "Jeton refusé : il est inconnu ou n'est plus valable. Vérifiez-le ou demandez-en un nouveau à la régulation."
        : "";
    Douai.signOut();
    stopTimers();
    $("round").hidden = true;
    $("signout").hidden = true;
    hideActions();
    Douai.signIn($("signin"), () => open(), message);
  }

  function signOut() {
    const waiting = read(STORE.queue, []).length;
    if (waiting && !confirm(`${waiting} action(s) pas encore envoyée(s) seront perdues. Se déconnecter quand même ?`)) return;
    forgetAll();
    state.sentAt = null;
    askToken(0);
  }

  // ---- map ---------------------------------------------------------------------

  function renderMap(round, numbers) {
    if (!state.map) {
      state.map = Douai.map($("map"));
      state.layers = L.layerGroup().addTo(state.map);
    }
    state.layers.clearLayers();
    const geometry = round.geometry && round.geometry.geometry;
    if (geometry) {
      L.geoJSON(geometry, { style: { color: "#0b4f9c", weight: 5, opacity: 0.9 } }).addTo(state.layers);
    }
    const points = [];
    for (const s of round.stops) {
      if (s.kind === "end") continue;  // the end is the depot, drawn with the start
      const isNext = round.next && s.stop_id === round.next.stop_id;
      const cls = `pin ${s.kind} ${isNext ? "next" : ""} ${FINISHED.has(s.status) ? "finished" : ""}`;
      const size = isNext ? 40 : 30;
      const icon = L.divIcon({ className: cls, html: `<span>${numbers.get(s.stop_id)}</span>`, iconSize: [size, size] });
      L.marker([s.lat, s.lon], { icon, zIndexOffset: isNext ? 1000 : 0, keyboard: false,
        title: `${numbers.get(s.stop_id)} · ${placeText(s)}` }).addTo(state.layers);
      points.push([s.lat, s.lon]);
    }
    if (geometry && geometry.coordinates) points.push(...Douai.latlngs(geometry.coordinates));
    // Fit once: later renders keep the courier's own pan and zoom.
    if (!state.fitted && points.length) {
      state.map.fitBounds(points, { padding: [20, 20] });
      state.fitted = true;
    }
    state.map.invalidateSize();
  }

  // ---- positions -----------------------------------------------------------------

  /** Watch the position while the round is open; stop once it is over. */
  function followPositions(round) {
    const open = round.next && round.next.kind !== "end";
    if (open && state.watchId === null && navigator.geolocation) {
      state.watchId = navigator.geolocation.watchPosition(onFix, () => {}, {
        enableHighAccuracy: true, maximumAge: 10000, timeout: 60000,
      });
    } else if (!open && state.watchId !== null) {
      navigator.geolocation.clearWatch(state.watchId);
      state.watchId = null;
    }
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
  async function flushPositions() {
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

  // ---- start ---------------------------------------------------------------------

  const signedIn = () => !!localStorage.getItem(`douai.token.${Douai.role}`);

  function retry() {
    if (!signedIn()) return;
    if (read(STORE.queue, []).length) flushQueue();
    if (read(STORE.positions, []).length) flushPositions();
    if (!state.online) refreshRound();
  }

  function refreshWhenIdle() {
    if (signedIn() && !read(STORE.queue, []).length && !flushing) refreshRound();
  }

  function startTimers() {
    stopTimers();
    state.timers.push(setInterval(retry, RETRY_MS), setInterval(refreshWhenIdle, REFRESH_MS));
  }

  function stopTimers() {
    state.timers.forEach(clearInterval);
    state.timers = [];
    if (state.watchId !== null) navigator.geolocation.clearWatch(state.watchId);
    state.watchId = null;
  }

  /** Open the round: the saved one at once, then the server's, then the queue. */
  function open() {
    state.fitted = false;
    showRound();
    startTimers();
    refreshRound().then(() => {
      if (signedIn()) { flushQueue(); flushPositions(); }
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
})();
