// The dispatcher's page: the day's orders (map and sortable table), planning with its
// progress, the rounds per courier, the unassigned orders, moves, publishing, and the
// couriers followed live (positions and stop events every 5 s, without redrawing the
// map). Plain JavaScript over the JSON API; Douai.* comes from common.js.
"use strict";

(() => {
  const { api, esc, km, hm, num } = Douai;
  const $ = (sel) => document.querySelector(sel);

  // Okabe–Ito: told apart with the common colour-vision deficiencies. Past eight
  // rounds the colours come again with a dashed line.
  const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
  const DASHES = [null, "12 6", "3 6", "16 5 3 5"];
  const NO_ROUND = "#ffffff";
  const BAD = "#a0121d";

  const ORDER_STATUS = { received: "reçue", planned: "planifiée", picked_up: "récupérée",
    delivered: "livrée", failed: "échec", cancelled: "annulée" };
  const STOP_STATUS = { pending: "à faire", arrived: "sur place", done: "fait", failed: "échec",
    cancelled: "annulé" };
  const STOP_KIND = { start: "départ", pickup: "retrait", delivery: "livraison", end: "retour" };
  const EVENT = { arrived: "arrivé", picked_up: "récupéré", delivered: "livré", failed: "échec" };
  const MODE = { cargo_bike: "vélo cargo", foot: "à pied" };
  const PLAN_STATUS = { queued: "en file d'attente", running: "calcul en cours", solved: "calculé",
    failed: "échec du calcul" };
  const REASON = { too_heavy: "trop lourde", too_bulky: "trop volumineuse",
    slot_impossible: "créneau intenable", shop_closed: "commerce fermé", unreachable: "inaccessible",
    off_network: "hors du réseau de rues", no_courier_left: "aucun coursier disponible", invalid: "invalide" };
  const CHANGE_STATUS = { queued: "en attente", applied: "appliqué", refused: "refusé" };
  const MOVABLE = new Set(["received", "planned"]);

  const LIVE_MS = 5000;
  const POLL_MS = 1000;

  const state = {
    date: null,
    orders: [],
    ordersSig: "",
    couriers: [],
    unchecked: new Set(),   // couriers the dispatcher left out of the next plan
    plan: null,
    selected: null,         // courier_id of the highlighted round
    colours: new Map(),     // courier_id -> {colour, dash}, kept while the plan is the same
    sort: { key: "order_id", dir: 1 },
    fitted: false,
    feedSeen: null,         // event keys already shown (null: first render)
    generation: 0,          // bumped when the day changes: late answers are dropped
    timers: {},
    seen: [],               // plan statuses shown since the last request (for the progress)
  };

  let map = null;
  let layers = null;

  // ---------------------------------------------------------------- start, sign-in

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
    stopTimers();
    $("#app").hidden = true;
    Douai.signIn($("#signin"), () => showApp(), message);
  }

  function showApp() {
    $("#signin").innerHTML = "";
    $("#app").hidden = false;
    $("#day").value = state.date;
    if (!map) {
      map = Douai.map($("#map"));
      map.options.zoomSnap = 0.25;  // fit the day closely, not to the next whole zoom
      map.setView([50.37, 3.08], 14);
      layers = {
        orders: L.layerGroup().addTo(map),
        rounds: L.layerGroup().addTo(map),
        stops: L.layerGroup().addTo(map),
        positions: L.layerGroup().addTo(map),
        orderMarkers: new Map(),
        roundLines: new Map(),
        stopMarkers: new Map(),
        positionMarkers: new Map(),
      };
      wire();
    }
    map.invalidateSize();
    load();
  }

  /** An API failure: a refused token goes back to the sign-in form, the rest is shown. */
  function handle(err, where) {
    if (err instanceof Douai.ApiError && err.status === 401) {
      Douai.signOut();
      showSignIn("Jeton refusé ou expiré : connectez-vous à nouveau.");
      return;
    }
    if (err instanceof Douai.ApiError && err.status === 403) {
      Douai.signOut();
      showSignIn("Ce jeton n'est pas celui d'un régulateur.");
      return;
    }
    const text = err instanceof Douai.ApiError ? err.message
      : "Serveur injoignable (réseau) : nouvel essai automatique.";
    notice(`${where ? `${where} : ` : ""}${text}`);
  }

  /** Replace an element's HTML only when it changed (keeps focus and scroll on refreshes). */
  function setHTML(el, html) {
    if (el.dataset.html === html) return;
    el.innerHTML = html;
    el.dataset.html = html;
  }

  function notice(text) {
    const el = $("#notice");
    el.textContent = text || "";
    el.hidden = !text;
  }

  function stopTimers() {
    for (const t of Object.values(state.timers)) clearTimeout(t);
    state.timers = {};
  }

  // ---------------------------------------------------------------- loading a day

  async function load() {
    const gen = ++state.generation;
    stopTimers();
    notice("");
    state.plan = null;
    state.selected = null;
    state.colours = new Map();
    state.feedSeen = null;
    state.fitted = false;
    state.seen = [];
    $("#progress").textContent = "";
    setHTML($("#feed"), "");
    $("#move-msg").textContent = "";
    const date = state.date;
    try {
      const [orders, couriers, plans] = await Promise.all([
        api("GET", `/api/orders?date=${date}`),
        api("GET", "/api/couriers"),
        api("GET", `/api/plans?date=${date}`),
      ]);
      if (gen !== state.generation) return;
      setOrders(orders.orders);
      state.couriers = couriers.couriers;
      renderCourierBoxes();
      if (plans.length) {
        const newest = plans[0];
        if (newest.status === "queued" || newest.status === "running") {
          setPlan(newest);
          followPlan(newest.id, gen);
        } else {
          setPlan(await api("GET", `/api/plans/${newest.id}`));
          renderProgress(state.plan);
        }
      } else {
        setPlan(null);
      }
      if (gen !== state.generation) return;
      fit();
    } catch (err) {
      handle(err, "Chargement du jour");
    }
  }

  function setOrders(orders) {
    state.orders = orders;
    state.ordersSig = JSON.stringify(orders.map((o) => [o.order_id, o.status]));
    renderOrders();
    drawOrders();
    renderMoveForm();
  }

  async function refreshOrders(gen) {
    const r = await api("GET", `/api/orders?date=${state.date}`);
    if (gen !== state.generation) return;
    const sig = JSON.stringify(r.orders.map((o) => [o.order_id, o.status]));
    if (sig !== state.ordersSig) setOrders(r.orders);
  }

  /** Fit the map to the day once (later refreshes keep the dispatcher's zoom). */
  function fit() {
    if (state.fitted) return;
    const pts = state.orders.map((o) => [o.customer_lat, o.customer_lon]);
    for (const r of state.plan?.rounds || []) {
      for (const s of r.stops) pts.push([s.lat, s.lon]);
    }
    if (!pts.length) return;
    map.fitBounds(L.latLngBounds(pts), { padding: [24, 24], maxZoom: 16 });
    state.fitted = true;
  }

  // ---------------------------------------------------------------- the plan

  /** Where each order is: courier_id of the round that hands it over. */
  function orderCourier() {
    const out = new Map();
    for (const r of state.plan?.rounds || []) {
      for (const s of r.stops) {
        if (s.kind === "delivery") for (const o of s.order_ids) out.set(o, r.courier_id);
      }
    }
    return out;
  }

  function unassignedIds() {
    return new Set((state.plan?.unassigned || []).map((u) => u.order_id));
  }

  function colourOf(courierId) {
    if (!state.colours.has(courierId)) {
      const i = state.colours.size;
      state.colours.set(courierId, {
        colour: PALETTE[i % PALETTE.length],
        dash: DASHES[Math.floor(i / PALETTE.length) % DASHES.length],
      });
    }
    return state.colours.get(courierId);
  }

  function setPlan(plan) {
    if (!plan || (state.plan && state.plan.id !== plan.id)) state.colours = new Map();
    state.plan = plan;
    for (const r of [...(plan?.rounds || [])].sort((a, b) => cmp(a.courier_id, b.courier_id))) colourOf(r.courier_id);
    if (state.selected && !(plan?.rounds || []).some((r) => r.courier_id === state.selected)) state.selected = null;
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
    if (plan && plan.published && plan.status === "solved") startLive();
    else {
      clearTimeout(state.timers.live);
      $("#live-state").textContent = "Le suivi démarre quand le plan est publié.";
    }
  }

  function renderPlanInfo() {
    const p = state.plan;
    const badge = $("#plan-badge");
    const info = $("#plan-info");
    const publish = $("#publish-button");
    const planButton = $("#plan-button");
    const busy = p && (p.status === "queued" || p.status === "running");
    planButton.disabled = Boolean(busy || (p && p.published));
    $("#plan-button").title = p && p.published
      ? "Le plan publié se modifie par déplacements de commandes." : "";
    if (!p) {
      badge.textContent = "Aucun plan";
      badge.className = "badge";
      info.textContent = "Aucun plan pour ce jour : planifiez-le.";
      publish.disabled = true;
      publish.textContent = "Publier";
      return;
    }
    let label = PLAN_STATUS[p.status] || p.status;
    let cls = `badge plan-${p.status}`;
    if (p.status === "solved") {
      label = p.published ? "Publié" : (p.withdrawn_at ? "Retiré" : "Non publié");
      cls = p.published ? "badge plan-published" : "badge plan-draft";
    }
    badge.textContent = `Plan n° ${p.id} — ${label}`;
    badge.className = cls;
    const parts = [`Plan n° ${p.id} : ${PLAN_STATUS[p.status] || p.status}`];
    if (p.revision) parts.push(`révision ${p.revision}`);
    const s = p.summary;
    if (s && p.status === "solved") {
      parts.push(`${s.planned} commande(s) planifiée(s) sur ${s.orders}`);
      parts.push(`${s.couriers_used} coursier(s)`);
      parts.push(`${num((s.bike_km || 0) + (s.foot_km || 0))} km`);
    }
    if (p.published) parts.push(`publié à ${clockOf(p.published_at)}`);
    else if (p.withdrawn_at) parts.push(`retiré à ${clockOf(p.withdrawn_at)}`);
    else if (p.status === "solved") parts.push("non publié");
    info.textContent = parts.join(" · ");
    info.className = "";
    publish.disabled = !(p.status === "solved" && !p.published && !p.withdrawn_at);
    publish.textContent = p.published ? "Publié" : "Publier";
  }

  /** Local HH:MM of an ISO instant. */
  function clockOf(iso) {
    if (!iso) return "—";
    return new Date(iso).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
  }

  function renderProgress(p) {
    const el = $("#progress");
    if (!p) {
      el.textContent = "";
      return;
    }
    if (state.seen[state.seen.length - 1] !== p.status) state.seen.push(p.status);
    el.dataset.seen = state.seen.join(" ");
    el.dataset.status = p.status;
    const limit = p.settings?.time_limit_s;
    if (p.status === "queued") {
      el.innerHTML = `<strong>Plan n° ${p.id} en file d'attente…</strong> <span class="muted">un calculateur va le prendre</span>`;
    } else if (p.status === "running") {
      const elapsed = p.started_at ? Math.max(0, (Date.now() - Date.parse(p.started_at)) / 1000) : 0;
      const shown = Math.floor(elapsed);
      el.innerHTML = `<strong>Calcul en cours : ${shown} s sur ${limit ? num(limit, 0) : "?"} s</strong>
        ${limit ? `<progress max="${limit}" value="${Math.min(elapsed, limit)}"></progress>` : ""}`;
    } else if (p.status === "solved") {
      const took = p.started_at && p.finished_at
        ? ` en ${num((Date.parse(p.finished_at) - Date.parse(p.started_at)) / 1000, 0)} s` : "";
      const s = p.summary;
      el.innerHTML = `<strong class="ok">Plan n° ${p.id} calculé${took}.</strong>`
        + (s ? ` ${s.planned} commande(s) planifiée(s), ${s.unassigned} non affectée(s).` : "");
    } else {
      el.innerHTML = `<strong class="error">Échec du calcul du plan n° ${p.id} :</strong> ${esc(p.error || "raison inconnue")}`;
    }
  }

  /** Poll a queued or running plan every second until it is solved or failed. */
  function followPlan(planId, gen) {
    clearTimeout(state.timers.plan);
    const tick = async () => {
      if (gen !== state.generation) return;
      try {
        const p = await api("GET", `/api/plans/${planId}?geometry=false`);
        if (gen !== state.generation) return;
        renderProgress(p);
        if (p.status === "queued" || p.status === "running") {
          if (!state.plan || state.plan.status !== p.status || state.plan.id !== p.id) setPlan(p);
          state.timers.plan = setTimeout(tick, POLL_MS);
          return;
        }
        const full = p.status === "solved" ? await api("GET", `/api/plans/${planId}`) : p;
        if (gen !== state.generation) return;
        setPlan(full);
        fit();
        await refreshOrders(gen);
      } catch (err) {
        handle(err, "Suivi du calcul");
        if (!(err instanceof Douai.ApiError)) state.timers.plan = setTimeout(tick, 3 * POLL_MS);
      }
    };
    tick();
  }

  async function requestPlan(ev) {
    ev.preventDefault();
    const boxes = [...document.querySelectorAll("#courier-boxes input")];
    const chosen = boxes.filter((b) => b.checked).map((b) => b.value);
    const limit = Number($("#time-limit").value);
    if (!chosen.length) {
      renderProgressText("Cochez au moins un coursier.", true);
      return;
    }
    if (!(limit > 0 && limit <= 600)) {
      renderProgressText("Temps de calcul : entre 1 et 600 secondes.", true);
      return;
    }
    // The couriers as ticked (the plan keeps them for its re-plans); past the API's
    // 500 names, "all of them" is said by leaving the list out.
    const body = { date: state.date, time_limit_s: limit };
    if (chosen.length <= 500 || chosen.length < boxes.length) body.couriers = chosen;
    $("#plan-button").disabled = true;
    const gen = state.generation;
    try {
      const r = await api("POST", "/api/plans", body);
      if (gen !== state.generation) return;
      state.seen = [];
      state.selected = null;
      notice(r.warning ? `File des calculs : ${r.warning}` : "");
      if (r.duplicate) notice("Un plan de ce jour était déjà demandé : voici son avancement.");
      const p = { ...r, settings: { time_limit_s: limit }, rounds: [], unassigned: [], changes: [] };
      setPlan(p);
      renderProgress(p);
      followPlan(r.id, gen);
    } catch (err) {
      $("#plan-button").disabled = false;
      if (err instanceof Douai.ApiError && err.status !== 401 && err.status !== 403) {
        renderProgressText(`Planification refusée : ${err.message}`, true);
      } else {
        handle(err, "Planification");
      }
    }
  }

  function renderProgressText(text, bad) {
    const el = $("#progress");
    el.innerHTML = `<span class="${bad ? "error" : ""}">${esc(text)}</span>`;
  }

  async function publish() {
    const p = state.plan;
    if (!p) return;
    $("#publish-button").disabled = true;
    const gen = state.generation;
    try {
      await api("POST", `/api/plans/${p.id}/publish`);
      const full = await api("GET", `/api/plans/${p.id}`);
      if (gen !== state.generation) return;
      setPlan(full);
      notice("");
    } catch (err) {
      handle(err, "Publication");
      renderPlanInfo();
    }
  }

  // ---------------------------------------------------------------- couriers to plan

  function renderCourierBoxes() {
    const root = $("#courier-boxes");
    root.innerHTML = state.couriers.map((c) => `
      <label class="box"><input type="checkbox" value="${esc(c.courier_id)}"
        ${state.unchecked.has(c.courier_id) ? "" : "checked"}>
        <span><strong>${esc(c.courier_id)}</strong> — ${esc(MODE[c.mode] || c.mode)},
        ${esc(c.shift_start)}–${esc(c.shift_end)}, ${num(c.capacity_kg, 0)} kg / ${num(c.capacity_l, 0)} L</span>
      </label>`).join("") || `<p class="muted">Aucun coursier enregistré.</p>`;
    countCouriers();
  }

  function countCouriers() {
    const boxes = [...document.querySelectorAll("#courier-boxes input")];
    state.unchecked = new Set(boxes.filter((b) => !b.checked).map((b) => b.value));
    $("#couriers-count").textContent = `${boxes.length - state.unchecked.size} sur ${boxes.length}`;
  }

  function checkAll(on) {
    for (const b of document.querySelectorAll("#courier-boxes input")) b.checked = on;
    countCouriers();
  }

  // ---------------------------------------------------------------- rounds

  function renderRounds() {
    const rounds = state.plan?.rounds || [];
    const table = $("#rounds");
    const empty = $("#rounds-empty");
    table.hidden = !rounds.length;
    empty.hidden = Boolean(rounds.length);
    if (!state.plan) empty.textContent = "Aucun plan pour ce jour.";
    else if (state.plan.status === "queued" || state.plan.status === "running") empty.textContent = "Calcul en cours…";
    else if (state.plan.status === "failed") empty.textContent = "Le calcul a échoué : aucune tournée.";
    else empty.textContent = "Aucune tournée dans ce plan.";
    table.querySelector("tbody").innerHTML = rounds.map((r) => {
      const { colour, dash } = colourOf(r.courier_id);
      const sel = r.courier_id === state.selected;
      return `<tr data-courier="${esc(r.courier_id)}" class="${sel ? "selected" : ""}" tabindex="0"
          aria-selected="${sel}" title="Voir les arrêts de ${esc(r.courier_id)}">
        <td>${swatch(colour, dash)}</td>
        <td><strong>${esc(r.courier_id)}</strong></td>
        <td>${esc(MODE[r.mode] || r.mode)}</td>
        <td class="num">${km(r.distance_m)}</td>
        <td>${hm(r.start)}–${hm(r.end)}</td>
        <td class="num">${r.orders}</td>
        <td class="num">${num(r.max_load_kg)} kg / ${num(r.max_load_l)} L</td>
      </tr>`;
    }).join("");
  }

  function swatch(colour, dash) {
    return `<svg class="swatch" viewBox="0 0 40 12" aria-hidden="true"><line x1="2" y1="6" x2="38" y2="6"
      stroke="${colour}" stroke-width="5" ${dash ? `stroke-dasharray="${dash}"` : ""}/></svg>`;
  }

  function lineOf(r) {
    const coords = r.geometry?.coordinates;
    if (coords && coords.length > 1) return Douai.latlngs(coords);
    return r.stops.map((s) => [s.lat, s.lon]);  // no street path kept: straight between stops
  }

  function drawRounds() {
    layers.rounds.clearLayers();
    layers.stops.clearLayers();
    layers.roundLines = new Map();
    layers.stopMarkers = new Map();
    const depots = new Set();
    for (const r of state.plan?.rounds || []) {
      const { colour, dash } = colourOf(r.courier_id);
      const line = L.polyline(lineOf(r), { color: colour, weight: 5, opacity: 0.9, dashArray: dash });
      line.bindTooltip(`${esc(r.courier_id)} — ${km(r.distance_m)}, ${hm(r.start)}–${hm(r.end)}`, { sticky: true });
      line.on("click", () => selectRound(r.courier_id));
      line.addTo(layers.rounds);
      layers.roundLines.set(r.courier_id, line);
      for (const s of r.stops) {
        if (s.kind === "start" || s.kind === "end") {
          const key = `${s.lat},${s.lon}`;
          if (!depots.has(key)) {
            depots.add(key);
            L.marker([s.lat, s.lon], {
              icon: L.divIcon({ className: "depot-pin", html: "<span>D</span>", iconSize: [26, 26] }),
              keyboard: false, title: "Dépôt (départ et retour)",
            }).addTo(layers.stops);
          }
          continue;
        }
        const m = L.marker([s.lat, s.lon], { icon: stopIcon(s, colour), keyboard: false, riseOnHover: true });
        m.bindTooltip(() => stopTip(r.courier_id, m.stop));
        m.on("click", () => selectRound(r.courier_id));
        m.stop = s;
        m.addTo(layers.stops);
        layers.stopMarkers.set(s.stop_id, m);
      }
    }
    styleSelection();
  }

  function stopIcon(s, colour) {
    const shape = s.kind === "pickup" ? "pickup" : "delivery";
    return L.divIcon({
      className: `stop-pin ${shape} st-${s.status || "pending"}`,
      html: `<span style="border-color:${colour}">${s.seq}</span>`,
      iconSize: [24, 24],
    });
  }

  function stopTip(courierId, s) {
    const kind = STOP_KIND[s.kind] || s.kind;
    return `<strong>${esc(courierId)} · arrêt ${s.seq}</strong><br>${esc(kind)}${s.shop_id ? ` chez ${esc(s.shop_id)}` : ""} :
      ${esc(s.order_ids.join(", "))}<br>arrivée ${hm(s.arrival)} · ${esc(STOP_STATUS[s.status] || s.status || "")}`;
  }

  function selectRound(courierId) {
    state.selected = state.selected === courierId ? null : courierId;
    for (const tr of document.querySelectorAll("#rounds tbody tr")) {
      const on = tr.dataset.courier === state.selected;
      tr.classList.toggle("selected", on);
      tr.setAttribute("aria-selected", String(on));
    }
    styleSelection();
    renderRoundDetail();
  }

  function styleSelection() {
    const sel = state.selected;
    for (const [courier, line] of layers.roundLines) {
      const on = !sel || courier === sel;
      line.setStyle({ opacity: on ? 0.9 : 0.18, weight: courier === sel ? 8 : 5 });
      if (courier === sel) line.bringToFront();
    }
    const roundOf = new Map();
    for (const r of state.plan?.rounds || []) for (const s of r.stops) roundOf.set(s.stop_id, r.courier_id);
    for (const [stopId, m] of layers.stopMarkers) {
      m.setOpacity(!sel || roundOf.get(stopId) === sel ? 1 : 0.25);
      m.setZIndexOffset(roundOf.get(stopId) === sel ? 1000 : 0);
    }
    const where = orderCourier();
    for (const [orderId, m] of layers.orderMarkers) {
      const on = !sel || !where.has(orderId) || where.get(orderId) === sel;
      m.setStyle({ opacity: on ? 1 : 0.25, fillOpacity: on ? 0.95 : 0.2 });
    }
  }

  function renderRoundDetail() {
    const el = $("#round-detail");
    const r = (state.plan?.rounds || []).find((x) => x.courier_id === state.selected);
    if (!r) {
      const any = Boolean(state.plan?.rounds?.length);
      el.hidden = !any;
      setHTML(el, any ? `<p class="muted">Cliquez une tournée (ligne du tableau ou trait sur la carte)
        pour voir ses arrêts, leurs heures et leur avancement.</p>` : "");
      return;
    }
    const { colour, dash } = colourOf(r.courier_id);
    const movable = canMove();
    const rows = r.stops.map((s) => {
      const orders = s.order_ids.map((o) => (movable && s.kind === "delivery" && isMovable(o)
        ? `<button type="button" class="link pick-order" data-order="${esc(o)}" title="Choisir ${esc(o)} pour la déplacer">${esc(o)}</button>`
        : esc(o))).join(", ");
      const last = (s.events || []).at(-1);
      const when = last ? ` <span class="muted">${esc(String(last.at).slice(11, 16))}</span>` : "";
      const why = last && last.reason ? ` — ${esc(last.reason)}` : "";
      return `<tr data-stop="${s.stop_id}">
        <td class="num">${s.seq}</td><td>${hm(s.arrival)}</td>
        <td>${esc(STOP_KIND[s.kind] || s.kind)}${s.shop_id ? ` <span class="muted">${esc(s.shop_id)}</span>` : ""}</td>
        <td>${orders || "—"}</td>
        <td class="num">${num(s.load_kg)} kg / ${num(s.load_l)} L</td>
        <td><span class="status st-${esc(s.status || "pending")}">${esc(STOP_STATUS[s.status] || s.status || "")}</span>${when}${why}</td>
      </tr>`;
    }).join("");
    el.hidden = false;
    setHTML(el, `
      <div class="detail-head">
        <h3>${swatch(colour, dash)} Arrêts de ${esc(r.courier_id)}
          <span class="muted">(${esc(MODE[r.mode] || r.mode)}, ${km(r.distance_m)}, ${hm(r.start)}–${hm(r.end)})</span></h3>
        <button type="button" class="small" id="unselect">Toutes les tournées</button>
      </div>
      <table class="stops">
        <thead><tr><th scope="col" class="num">N°</th><th scope="col">Arrivée</th><th scope="col">Arrêt</th>
          <th scope="col">Commandes</th><th scope="col" class="num">Charge au départ</th><th scope="col">Statut</th></tr></thead>
        <tbody>${rows}</tbody>
      </table>`);
  }

  // ---------------------------------------------------------------- unassigned, changes

  function renderUnassigned() {
    const list = state.plan?.unassigned || [];
    $("#unassigned").hidden = !list.length;
    $("#unassigned-empty").hidden = Boolean(list.length);
    $("#unassigned-empty").textContent = state.plan && state.plan.status === "solved" ? "Aucune." : "Pas de plan calculé.";
    $("#unassigned tbody").innerHTML = list.map((u) => `<tr data-order="${esc(u.order_id)}">
      <td><strong>${esc(u.order_id)}</strong></td>
      <td>${esc(REASON[u.reason] || u.reason)} <span class="muted">(${esc(u.reason)})</span></td>
      <td>${esc(u.detail || "")}</td></tr>`).join("");
  }

  function renderChanges() {
    const list = [...(state.plan?.changes || [])].reverse();
    setHTML($("#changes"), list.map((c) => {
      const what = c.kind === "move"
        ? `Déplacement de ${esc(c.order_id)} vers ${esc(c.courier_id)}`
        : "Commandes tardives";
      return `<li class="change ch-${esc(c.status)}" data-change="${c.change_id}" data-status="${esc(c.status)}">
        ${what} : <strong>${esc(CHANGE_STATUS[c.status] || c.status)}</strong>${c.detail ? ` — ${esc(c.detail)}` : ""}</li>`;
    }).join("") || `<li class="muted">Aucune modification.</li>`);
  }

  // ---------------------------------------------------------------- moves

  function canMove() {
    const p = state.plan;
    return Boolean(p && p.status === "solved" && !p.withdrawn_at);
  }

  function isMovable(orderId) {
    const o = state.orders.find((x) => x.order_id === orderId);
    return !o || MOVABLE.has(o.status);
  }

  /** The couriers an order may go to: the plan's couriers, else every courier. */
  function moveTargets() {
    const ids = new Set(state.plan?.settings?.couriers || state.couriers.map((c) => c.courier_id));
    for (const r of state.plan?.rounds || []) ids.add(r.courier_id);
    return [...ids].sort(cmp);
  }

  function renderMoveForm() {
    const orderSel = $("#move-order");
    const courierSel = $("#move-courier");
    const keepOrder = orderSel.value;
    const keepCourier = courierSel.value;
    const where = orderCourier();
    const movable = state.orders.filter((o) => MOVABLE.has(o.status)).sort((a, b) => cmp(a.order_id, b.order_id));
    orderSel.innerHTML = `<option value="">— choisir —</option>` + movable.map((o) =>
      `<option value="${esc(o.order_id)}">${esc(o.order_id)} — ${esc(where.get(o.order_id) || "non affectée")}</option>`).join("");
    const modes = new Map(state.couriers.map((c) => [c.courier_id, c.mode]));
    courierSel.innerHTML = `<option value="">— choisir —</option>` + moveTargets().map((c) =>
      `<option value="${esc(c)}">${esc(c)}${modes.has(c) ? ` (${esc(MODE[modes.get(c)] || modes.get(c))})` : ""}</option>`).join("");
    if ([...orderSel.options].some((o) => o.value === keepOrder)) orderSel.value = keepOrder;
    if ([...courierSel.options].some((o) => o.value === keepCourier)) courierSel.value = keepCourier;
    $("#move-button").disabled = !canMove();
  }

  function pickOrder(orderId) {
    const sel = $("#move-order");
    if (![...sel.options].some((o) => o.value === orderId)) return;
    sel.value = orderId;
    $("#move-msg").textContent = `${orderId} choisie : indiquez le coursier qui la prend.`;
    $("#move-panel").scrollIntoView({ block: "nearest" });
    $("#move-courier").focus();
  }

  async function requestMove(ev) {
    ev.preventDefault();
    const p = state.plan;
    const orderId = $("#move-order").value;
    const courierId = $("#move-courier").value;
    const msg = $("#move-msg");
    if (!p || !canMove()) return;
    if (!orderId || !courierId) {
      msg.innerHTML = `<span class="error">Choisissez une commande et un coursier.</span>`;
      return;
    }
    const gen = state.generation;
    $("#move-button").disabled = true;
    try {
      const change = await api("POST", `/api/plans/${p.id}/moves`, { order_id: orderId, courier_id: courierId });
      if (gen !== state.generation) return;
      p.changes = [...(p.changes || []), change];
      renderChanges();
      msg.textContent = `Déplacement de ${orderId} vers ${courierId} demandé : en attente du calculateur…`;
      followChanges(p.id, gen);
    } catch (err) {
      if (err instanceof Douai.ApiError && err.status !== 401 && err.status !== 403) {
        msg.innerHTML = `<span class="error">Déplacement refusé : ${esc(err.message)}</span>`;
      } else {
        handle(err, "Déplacement");
      }
    } finally {
      $("#move-button").disabled = !canMove();
    }
  }

  /** Poll the plan while a change is queued; redraw once the worker applied it. */
  function followChanges(planId, gen) {
    clearTimeout(state.timers.moves);
    const tick = async () => {
      if (gen !== state.generation || !state.plan || state.plan.id !== planId) return;
      try {
        const p = await api("GET", `/api/plans/${planId}?geometry=false`);
        if (gen !== state.generation) return;
        const before = new Map((state.plan.changes || []).map((c) => [c.change_id, c.status]));
        const settled = p.changes.filter((c) => before.get(c.change_id) === "queued" && c.status !== "queued");
        // Redraw from the whole plan when its revision moved or a change settled (a
        // settled change is always redrawn, whatever revision the page last saw).
        if (p.revision !== state.plan.revision || settled.length) {
          const full = await api("GET", `/api/plans/${planId}`);
          if (gen !== state.generation) return;
          setPlan(full);
          await refreshOrders(gen);
        } else {
          state.plan.changes = p.changes;
          renderChanges();
        }
        for (const c of settled) {
          $("#move-msg").innerHTML = c.status === "applied"
            ? `<span class="ok">Déplacement de ${esc(c.order_id || "")} appliqué : ${esc(c.detail || "")}</span>`
            : `<span class="error">Déplacement de ${esc(c.order_id || "")} refusé : ${esc(c.detail || "")}</span>`;
        }
        if (p.changes.some((c) => c.status === "queued")) state.timers.moves = setTimeout(tick, POLL_MS);
      } catch (err) {
        handle(err, "Suivi du déplacement");
        if (!(err instanceof Douai.ApiError)) state.timers.moves = setTimeout(tick, 3 * POLL_MS);
      }
    };
    state.timers.moves = setTimeout(tick, POLL_MS);
  }

  // ---------------------------------------------------------------- orders

  function orderRows() {
    const where = orderCourier();
    const left = unassignedIds();
    return state.orders.map((o) => ({
      ...o,
      slot: `${o.deliver_from}–${o.deliver_to}`,
      courier: where.get(o.order_id) || (left.has(o.order_id) ? "~non affectée" : ""),
    }));
  }

  function cmp(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    return String(a ?? "").localeCompare(String(b ?? ""), "fr", { numeric: true });
  }

  function renderOrders() {
    const { key, dir } = state.sort;
    const rows = orderRows().sort((a, b) => dir * cmp(a[key], b[key]) || cmp(a.order_id, b.order_id));
    const movable = canMove();
    $("#orders-count").textContent = `(${state.orders.length})`;
    for (const th of document.querySelectorAll("#orders th[data-sort]")) {
      th.setAttribute("aria-sort", th.dataset.sort === key ? (dir > 0 ? "ascending" : "descending") : "none");
    }
    $("#orders tbody").innerHTML = rows.map((o) => {
      let courier = `<span class="muted">—</span>`;
      if (o.courier === "~non affectée") courier = `<span class="error">non affectée</span>`;
      else if (o.courier) {
        const { colour, dash } = colourOf(o.courier);
        courier = `${swatch(colour, dash)} ${esc(o.courier)}`;
      }
      return `<tr data-order="${esc(o.order_id)}">
        <td><strong>${esc(o.order_id)}</strong></td>
        <td><span class="status os-${esc(o.status)}">${esc(ORDER_STATUS[o.status] || o.status)}</span></td>
        <td>${o.shop_id ? esc(o.shop_id) : `<span class="muted">dépôt</span>`}</td>
        <td>${esc(o.slot)}</td>
        <td class="num">${num(o.weight_kg)} kg</td>
        <td class="num">${num(o.volume_l)} L</td>
        <td>${courier}</td>
        <td>${movable && MOVABLE.has(o.status)
          ? `<button type="button" class="small pick-order" data-order="${esc(o.order_id)}">Déplacer…</button>` : ""}</td>
      </tr>`;
    }).join("") || `<tr><td colspan="8" class="muted">Aucune commande ce jour.</td></tr>`;
  }

  /** The customers' points on the map, updated in place. */
  function drawOrders() {
    const where = orderCourier();
    const left = unassignedIds();
    const keep = new Set();
    for (const o of state.orders) {
      keep.add(o.order_id);
      const courier = where.get(o.order_id);
      const off = left.has(o.order_id);
      const style = {
        radius: off ? 8 : 6, weight: off ? 3 : 2, color: off ? BAD : "#111111",
        fillColor: courier ? colourOf(courier).colour : NO_ROUND, fillOpacity: 0.95,
        dashArray: off ? "3 3" : null,
      };
      const tip = `<strong>${esc(o.order_id)}</strong> · ${esc(ORDER_STATUS[o.status] || o.status)}<br>`
        + `${o.shop_id ? esc(o.shop_id) : "dépôt"} · ${esc(o.deliver_from)}–${esc(o.deliver_to)} · ${num(o.weight_kg)} kg`
        + `<br>${courier ? `tournée ${esc(courier)}` : (off ? "non affectée" : "pas encore planifiée")}`;
      let m = layers.orderMarkers.get(o.order_id);
      if (!m) {
        m = L.circleMarker([o.customer_lat, o.customer_lon], style).addTo(layers.orders);
        m.bindTooltip(tip);
        m.on("click", () => pickOrder(o.order_id));
        layers.orderMarkers.set(o.order_id, m);
      } else {
        m.setStyle(style);
        m.setTooltipContent(tip);
      }
    }
    for (const [id, m] of layers.orderMarkers) {
      if (!keep.has(id)) {
        layers.orders.removeLayer(m);
        layers.orderMarkers.delete(id);
      }
    }
    styleSelection();
  }

  // ---------------------------------------------------------------- live

  function startLive() {
    clearTimeout(state.timers.live);
    const gen = state.generation;
    const planId = state.plan.id;
    const tick = async () => {
      if (gen !== state.generation || !state.plan || state.plan.id !== planId) return;
      try {
        const [p, pos] = await Promise.all([
          api("GET", `/api/plans/${planId}?geometry=false`),
          api("GET", `/api/couriers/positions?date=${state.date}`),
        ]);
        if (gen !== state.generation || state.plan.id !== planId) return;
        if (p.revision !== state.plan.revision || !p.published) {
          const full = await api("GET", `/api/plans/${planId}`);
          if (gen !== state.generation) return;
          setPlan(full);  // redraws the rounds, keeps the zoom
        } else {
          updateStops(p);
        }
        drawPositions(pos.positions);
        await refreshOrders(gen);
        const now = new Date().toLocaleTimeString("fr-FR");
        $("#live-state").textContent = `Suivi en direct : mis à jour à ${now} (toutes les 5 s).`;
        notice("");
      } catch (err) {
        handle(err, "Suivi en direct");
        if (err instanceof Douai.ApiError && (err.status === 401 || err.status === 403)) return;
      }
      if (state.plan && state.plan.published) state.timers.live = setTimeout(tick, LIVE_MS);
    };
    tick();
  }

  /** New statuses and events of the same rounds: restyle the stops that changed. */
  function updateStops(p) {
    const fresh = new Map();
    for (const r of p.rounds) for (const s of r.stops) fresh.set(s.stop_id, s);
    for (const r of state.plan.rounds) {
      r.stops = r.stops.map((s) => {
        const n = fresh.get(s.stop_id);
        if (!n) return s;
        const m = layers.stopMarkers.get(s.stop_id);
        if (m && n.status !== s.status) {
          m.setIcon(stopIcon(n, colourOf(r.courier_id).colour));
        }
        if (m) m.stop = n;
        return n;
      });
    }
    state.plan.changes = p.changes;
    state.plan.summary = p.summary;
    styleSelection();
    renderRoundDetail();
    renderChanges();
    renderFeed();
  }

  function drawPositions(positions) {
    const keep = new Set();
    for (const pos of positions) {
      keep.add(pos.courier_id);
      const colour = state.colours.has(pos.courier_id) ? colourOf(pos.courier_id).colour : "#111111";
      const at = String(pos.at).slice(11, 16);
      const html = `<span class="courier-pin"><i style="background:${colour}"></i>${esc(pos.courier_id)} ${esc(at)}</span>`;
      let m = layers.positionMarkers.get(pos.courier_id);
      if (!m) {
        m = L.marker([pos.lat, pos.lon], {
          icon: L.divIcon({ className: "courier-marker", html, iconSize: null, iconAnchor: [8, 8] }),
          zIndexOffset: 2000, keyboard: false, title: `${pos.courier_id}, position à ${at}`,
        }).addTo(layers.positions);
        m.html = html;
        layers.positionMarkers.set(pos.courier_id, m);
      } else {
        m.setLatLng([pos.lat, pos.lon]);
        if (m.html !== html) {
          m.setIcon(L.divIcon({ className: "courier-marker", html, iconSize: null, iconAnchor: [8, 8] }));
          m.html = html;
        }
      }
    }
    for (const [id, m] of layers.positionMarkers) {
      if (!keep.has(id)) {
        layers.positions.removeLayer(m);
        layers.positionMarkers.delete(id);
      }
    }
  }

  /** The stop events of the plan, newest first: "10:42 bike-01 — livré O017". */
  function renderFeed() {
    const items = [];
    for (const r of state.plan?.rounds || []) {
      for (const s of r.stops) {
        for (const e of s.events || []) items.push({ ...e, courier: r.courier_id, stop: s, key: `${s.stop_id}:${e.type}` });
      }
    }
    items.sort((a, b) => cmp(b.at, a.at));
    const first = state.feedSeen === null;
    const seen = state.feedSeen || new Set();
    setHTML($("#feed"), items.slice(0, 60).map((e) => {
      const orders = e.stop.order_ids.join(", ");
      let what = `${EVENT[e.type] || e.type} ${orders}`;
      if (e.type === "arrived") what = `arrivé (${STOP_KIND[e.stop.kind] || e.stop.kind}${e.stop.shop_id ? ` chez ${e.stop.shop_id}` : ""}) ${orders}`;
      if (e.type === "picked_up" && e.stop.shop_id) what = `récupéré ${orders} chez ${e.stop.shop_id}`;
      if (e.reason) what += ` : ${e.reason}`;
      const isNew = !first && !seen.has(e.key);
      return `<li class="ev-${esc(e.type)}${isNew ? " new" : ""}"><time datetime="${esc(e.at)}">${esc(String(e.at).slice(11, 16))}</time>
        <strong>${esc(e.courier)}</strong> — ${esc(what)}</li>`;
    }).join("") || `<li class="muted">Aucun événement pour l'instant.</li>`);
    state.feedSeen = new Set(items.map((e) => e.key));
  }

  // ---------------------------------------------------------------- events

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
    $("#move-form").addEventListener("submit", requestMove);
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
      if (ev.target.closest("#unselect")) selectRound(state.selected);
    });
    $("#orders thead").addEventListener("click", (ev) => {
      const th = ev.target.closest("th[data-sort]");
      if (!th) return;
      const key = th.dataset.sort;
      state.sort = { key, dir: state.sort.key === key ? -state.sort.dir : 1 };
      renderOrders();
    });
  }

  start();
})();
