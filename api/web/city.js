// The city's page (desktop, read-only): what the deliveries spared over a period, from
// GET /api/metrics/impact; the streets the cargo bikes rode (GET /api/metrics/passages,
// city-map.js); the month's open data to download (GET /api/metrics/open-data).
// Aggregates only: no order, courier, address or name ever reaches this page. Bar charts
// are hand-made SVG (no library, no CDN: the page works offline), each with a data table
// as its text alternative; the downloads save the API's own files under the API's names.
"use strict";

(() => {
  const root = document.getElementById("app");

  /** The figures shown, in order: the API's name, the French label, unit and digits. */
  const FIGURES = [
    { key: "car_trips_avoided", label: "Trajets en voiture évités", column: "Trajets évités", unit: "", digits: 0, axis: "trajets" },
    { key: "car_km_avoided", label: "Km en voiture évités", column: "Km voiture évités", unit: "km", digits: 1, axis: "km" },
    { key: "co2_avoided_kg", label: "CO₂ évité", column: "CO₂ évité (kg)", unit: "kg", digits: 1, axis: "kg CO₂e" },
    { key: "bike_km", label: "Km à vélo cargo", column: "Km à vélo cargo", unit: "km", digits: 1, axis: "km" },
    { key: "foot_km", label: "Km à pied", column: "Km à pied", unit: "km", digits: 1, axis: "km" },
    { key: "orders_delivered", label: "Livraisons", column: "Livraisons", unit: "", digits: 0, axis: "livraisons" },
  ];
  const BY_KEY = Object.fromEntries(FIGURES.map((f) => [f.key, f]));
  const FAILED = { key: "orders_failed", column: "Échecs", unit: "", digits: 0 };
  /** The figures of the tables, in the CSV's order. */
  const TABLE_FIGURES = ["orders_delivered", "orders_failed", "car_trips_avoided", "car_km_avoided",
    "co2_avoided_kg", "bike_km", "foot_km"].map((k) => BY_KEY[k] || FAILED);

  /** The factors the API gives, as the page names them (others keep the API's key). */
  const FACTOR_LABELS = {
    car_kg_co2e_per_km: "Émissions d'une voiture moyenne",
    car_factor_source: "Source",
    car_factor_scope: "Périmètre",
    bike_kg_co2e_per_km: "Émissions d'un vélo cargo électrique",
    bike_factor_source: "Source",
    default_substitution_share: "Part par défaut des livraisons qui remplacent un trajet en voiture",
    default_substitution_source: "Source",
    survey_min_answers: "Réponses des clients nécessaires pour la remplacer",
  };
  const MAX_DAYS = 366;

  const state = { from: null, to: null, preset: null, figure: "orders_delivered", data: null, seq: 0 };

  // ---- dates (YYYY-MM-DD strings, read as local days) ----
  const pad = (n) => String(n).padStart(2, "0");
  const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const parse = (s) => { const [y, m, d] = s.split("-").map(Number); return new Date(y, m - 1, d); };
  const addDays = (s, n) => { const d = parse(s); d.setDate(d.getDate() + n); return iso(d); };
  const daysBetween = (a, b) => Math.round((parse(b) - parse(a)) / 86400000) + 1;
  const validDate = (s) => /^\d{4}-\d{2}-\d{2}$/.test(s || "") && iso(parse(s)) === s;
  const fmtDay = new Intl.DateTimeFormat("fr-FR", { weekday: "short", day: "numeric", month: "short" });
  const fmtShort = new Intl.DateTimeFormat("fr-FR", { day: "2-digit", month: "2-digit" });
  const fmtLong = new Intl.DateTimeFormat("fr-FR", { day: "numeric", month: "long", year: "numeric" });
  const dayLabel = (s) => fmtDay.format(parse(s));
  const longDate = (s) => fmtLong.format(parse(s));

  const PRESETS = {
    7: { label: "7 jours", range: () => [addDays(Douai.today(), -6), Douai.today()] },
    30: { label: "30 jours", range: () => [addDays(Douai.today(), -29), Douai.today()] },
    month: { label: "Ce mois-ci", range: () => [`${Douai.today().slice(0, 8)}01`, Douai.today()] },
  };

  // ---- numbers ----
  const nfTick = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 2 });
  const nfFactor = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 6 });
  /** A figure as shown: French digits, then its unit ("12,3 km", "48"). */
  function fmt(value, figure) {
    const n = Douai.num(Number(value) || 0, figure.digits);
    return figure.unit ? `${n} ${figure.unit}` : n;
  }

  /** "2033-W06" as "sem. 6". */
  const weekLabel = (w) => `sem. ${Number(String(w).split("-W")[1])}`;

  // ---- the page ----
  function start() {
    if (!Douai.token()) {
      showSignIn();
      return;
    }
    readPeriod();
    renderShell();
    load();
  }

  function showSignIn(message) {
    document.title = "Ville de Douai — connexion";
    Douai.signIn(root, () => start(), message);
  }

  /** The period of the address (?from=…&to=…), else the last 30 days. */
  function readPeriod() {
    const q = new URLSearchParams(location.search);
    const from = q.get("from"), to = q.get("to");
    if (validDate(from) && validDate(to)) {
      Object.assign(state, { from, to, preset: null });
    } else {
      const [f, t] = PRESETS[30].range();
      Object.assign(state, { from: f, to: t, preset: "30" });
    }
  }

  function renderShell() {
    document.title = "Ville de Douai — impact des livraisons";
    const presets = Object.entries(PRESETS).map(([k, p]) =>
      `<button type="button" class="preset" data-preset="${k}" aria-pressed="false">${Douai.esc(p.label)}</button>`).join("");
    const options = FIGURES.map((f) =>
      `<option value="${f.key}"${f.key === state.figure ? " selected" : ""}>${Douai.esc(f.label)}</option>`).join("");
    root.innerHTML = `
      <header class="city-head">
        <div>
          <h1>Impact des livraisons à Douai</h1>
          <p class="muted">Livraisons à vélo cargo et à pied des commerces du centre : chiffres agrégés,
            sans adresse ni nom.</p>
        </div>
        <button type="button" id="sign-out">Se déconnecter</button>
      </header>
      <form id="period" class="period" novalidate>
        <fieldset>
          <legend>Période</legend>
          <label for="from">Du</label>
          <input type="date" id="from" name="from" required value="${state.from}">
          <label for="to">au</label>
          <input type="date" id="to" name="to" required value="${state.to}">
          <button type="submit" class="primary">Afficher</button>
          <span class="presets" role="group" aria-label="Périodes toutes faites">${presets}</span>
        </fieldset>
        <button type="button" id="export" disabled>Exporter en CSV</button>
      </form>
      <p id="status" role="status" aria-live="polite"></p>
      <section id="totals" aria-labelledby="totals-title">
        <h2 id="totals-title">Sur la période</h2>
        <dl class="figures">${FIGURES.map((f) => `
          <div class="figure" data-figure="${f.key}"><dt>${Douai.esc(f.label)}</dt><dd class="value">—</dd></div>`).join("")}
        </dl>
        <p id="period-facts" class="muted"></p>
      </section>
      <section id="net" aria-labelledby="net-title">
        <h2 id="net-title">Brut et net</h2>
        <table class="net-table">
          <caption class="visually-hidden">Chiffres bruts et nets de la période</caption>
          <thead><tr><th scope="col">Chiffre</th><th scope="col" class="num">Brut</th><th scope="col" class="num">Net</th></tr></thead>
          <tbody>
            <tr data-net="car_km"><th scope="row">Km en voiture évités</th><td class="num gross">—</td><td class="num value">—</td></tr>
            <tr data-net="co2"><th scope="row">CO₂ évité</th><td class="num gross">—</td><td class="num value">—</td></tr>
            <tr data-net="courier"><th scope="row">Émissions des vélos cargo (déduites du net)</th><td class="num gross">—</td><td class="num value">—</td></tr>
          </tbody>
        </table>
        <p id="net-share"></p>
      </section>
      <div class="layout">
        <section class="charts" aria-labelledby="charts-title">
          <div class="charts-head">
            <h2 id="charts-title">Par jour et par semaine</h2>
            <label for="figure">Chiffre des graphiques</label>
            <select id="figure">${options}</select>
          </div>
          <figure id="chart-days" class="chart-box"></figure>
          <figure id="chart-weeks" class="chart-box"></figure>
        </section>
        <aside id="method" class="method" aria-labelledby="method-title">
          <h2 id="method-title">Méthode et facteurs</h2>
          <div id="method-body"><p class="muted">Chargement…</p></div>
        </aside>
      </div>
      <section id="streets" aria-labelledby="streets-title">
        <h2 id="streets-title">Où roulent les vélos cargo</h2>
        <p class="muted">Les rues parcourues par les vélos cargo sur la période, d'autant plus épaisses et
          foncées qu'ils y passent souvent : de quoi situer les pistes cyclables et les aires de livraison.
          Une rue parcourue moins de <span id="streets-min">5</span> fois sur la période n'est pas montrée,
          ni les bouts de rue qui mènent aux portes des clients.</p>
        <div id="streets-map" class="streets-map" role="region" aria-label="Carte des passages des vélos cargo"></div>
        <ul id="streets-legend" class="legend" aria-label="Légende de la carte"></ul>
        <p id="streets-text"></p>
        <button type="button" id="streets-export" disabled>Télécharger la carte (GeoJSON)</button>
      </section>
      <section id="open-data" aria-labelledby="open-title">
        <h2 id="open-title">Données ouvertes</h2>
        <p>Les livraisons d'un mois par carreau de 500 m : livraisons, part faite à pied, km en voiture évités
          (bruts et nets), km à vélo cargo. Le fichier porte sa licence et sa méthode ; un carreau de moins de
          <span id="open-min">5</span> livraisons n'y figure jamais seul, pour qu'aucun foyer ne soit reconnaissable.</p>
        <div class="open-form">
          <label for="month">Mois</label>
          <input type="month" id="month" value="${lastMonth()}">
          <button type="button" data-open="csv">Télécharger (CSV)</button>
          <button type="button" data-open="geojson">Télécharger (GeoJSON)</button>
        </div>
      </section>`;
    markPreset();
    root.querySelector("#sign-out").addEventListener("click", () => {
      Douai.signOut();
      showSignIn();
    });
    root.querySelector("#period").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const from = root.querySelector("#from").value, to = root.querySelector("#to").value;
      setPeriod(from, to, null);
    });
    root.querySelectorAll("[data-preset]").forEach((b) => b.addEventListener("click", () => {
      const [from, to] = PRESETS[b.dataset.preset].range();
      root.querySelector("#from").value = from;
      root.querySelector("#to").value = to;
      setPeriod(from, to, b.dataset.preset);
    }));
    root.querySelector("#figure").addEventListener("change", (ev) => {
      state.figure = ev.target.value;
      if (state.data) renderCharts(state.data);
    });
    root.querySelector("#export").addEventListener("click", () => download(
      root.querySelector("#export"), `/api/metrics/impact?${query()}&format=csv`, `impact_${state.from}_${state.to}.csv`));
    root.querySelector("#streets-export").addEventListener("click", () => download(
      root.querySelector("#streets-export"), `/api/metrics/passages?${query()}`, `passages_${state.from}_${state.to}.geojson`));
    root.querySelectorAll("[data-open]").forEach((b) => b.addEventListener("click", () => {
      const month = root.querySelector("#month").value;
      if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(month)) return status("Choisissez un mois (mois et année).", true);
      return download(b, `/api/metrics/open-data?month=${month}&format=${b.dataset.open}`,
        `livraisons_${month}.${b.dataset.open === "csv" ? "csv" : "geojson"}`);
    }));
  }

  /** The month before this one, as YYYY-MM: the last whole month. */
  function lastMonth() {
    const d = parse(`${Douai.today().slice(0, 8)}01`);
    d.setDate(0);
    return iso(d).slice(0, 7);
  }

  function markPreset() {
    root.querySelectorAll("[data-preset]").forEach((b) =>
      b.setAttribute("aria-pressed", String(b.dataset.preset === state.preset)));
  }

  function status(text, isError) {
    const el = root.querySelector("#status");
    if (!el) return;
    el.textContent = text || "";
    el.className = isError ? "error" : "muted";
  }

  /** Check a period typed in, keep it in the address (a link to it shows it again), load it. */
  function setPeriod(from, to, preset) {
    if (!validDate(from) || !validDate(to)) return status("Donnez deux dates (jour, mois, année).", true);
    if (to < from) return status("La date de fin est avant la date de début.", true);
    if (daysBetween(from, to) > MAX_DAYS) return status(`La période couvre ${daysBetween(from, to)} jours : ${MAX_DAYS} au plus.`, true);
    Object.assign(state, { from, to, preset });
    markPreset();
    history.replaceState(null, "", `${location.pathname}?from=${from}&to=${to}`);
    load();
    return undefined;
  }

  const query = () => `from=${encodeURIComponent(state.from)}&to=${encodeURIComponent(state.to)}`;

  async function load() {
    const seq = ++state.seq;
    status("Chargement des chiffres…");
    root.querySelector("#export").disabled = true;
    root.querySelector("#streets-export").disabled = true;
    try {
      const [data, streets] = await Promise.all([
        Douai.api("GET", `/api/metrics/impact?${query()}`),
        Douai.api("GET", `/api/metrics/passages?${query()}`),
      ]);
      if (seq !== state.seq) return; // a newer period was asked for meanwhile
      state.data = data;
      render(data);
      renderStreets(streets);
      status("");
      root.querySelector("#export").disabled = false;
      root.querySelector("#streets-export").disabled = false;
    } catch (e) {
      if (seq !== state.seq) return;
      failed(e, "Les chiffres n'ont pas pu être chargés");
    }
  }

  function failed(e, what) {
    if (e instanceof Douai.ApiError && e.status === 401) {
      Douai.signOut();
      showSignIn("Ce jeton n'est pas (ou plus) valable : reconnectez-vous.");
    } else if (e instanceof Douai.ApiError && e.status === 403) {
      Douai.signOut();
      showSignIn("Ce jeton ne donne pas accès aux chiffres de la ville (il faut un jeton « ville » ou de régulation).");
    } else if (e instanceof Douai.ApiError) {
      status(`${what} : ${e.message}`, true);
    } else {
      status(`${what} : le serveur ne répond pas (réseau ?).`, true);
    }
  }

  function render(data) {
    const t = data.totals;
    for (const f of FIGURES) {
      root.querySelector(`[data-figure="${f.key}"] .value`).textContent = fmt(t[f.key], f);
    }
    const days = data.days.length;
    const failedOrders = t.orders_failed
      ? ` · ${Douai.num(t.orders_failed, 0)} livraison${t.orders_failed > 1 ? "s" : ""} échouée${t.orders_failed > 1 ? "s" : ""}`
      : "";
    const planned = t.days_with_plan === 0 ? "aucune tournée sur cette période"
      : `${Douai.num(t.days_with_plan, 0)} jour${t.days_with_plan > 1 ? "s" : ""} avec des tournées sur ${Douai.num(days, 0)}`;
    root.querySelector("#period-facts").textContent =
      `Du ${longDate(data.from)} au ${longDate(data.to)} · ${planned}${failedOrders}.`;
    renderNet(t);
    renderCharts(data);
    renderMethod(data);
  }

  /** Gross beside net, and where the share of car trips replaced comes from. */
  function renderNet(t) {
    const km = (v) => fmt(v, BY_KEY.car_km_avoided);
    const kg = (v) => fmt(v, BY_KEY.co2_avoided_kg);
    const row = (name, gross, net) => {
      const tr = root.querySelector(`[data-net="${name}"]`);
      tr.querySelector(".gross").textContent = gross;
      tr.querySelector(".value").textContent = net;
    };
    row("car_km", km(t.car_km_avoided), km(t.car_km_avoided_net));
    row("co2", kg(t.co2_avoided_kg), kg(t.co2_avoided_net_kg));
    row("courier", "—", kg(t.courier_co2_kg));
    const share = `${Douai.num(t.substitution_share * 100, 1)} %`;
    const source = String(t.substitution_source || "");
    root.querySelector("#net-share").textContent = source.startsWith("survey")
      ? `Part des livraisons qui ont remplacé un trajet en voiture : ${share}, d'après ${Douai.num(t.survey_answers, 0)} réponses des clients.`
      : `Part des livraisons qui ont remplacé un trajet en voiture : ${share}, valeur par défaut tant que les clients ont donné moins de réponses que le seuil (${Douai.num(t.survey_answers, 0)} pour l'instant). Source : ${source.replace(/^default: /, "")}.`;
  }

  /** The bikes' streets on the map, its legend and the same in words. */
  function renderStreets(doc) {
    const facts = CityMap.show(root.querySelector("#streets-map"), doc);
    root.querySelector("#streets-min").textContent = Douai.num(doc.min_passages, 0);
    root.querySelector("#open-min").textContent = Douai.num(doc.min_passages, 0);
    root.querySelector("#streets-legend").innerHTML = facts.count ? CityMap.legend(facts) : "";
    root.querySelector("#streets-text").textContent = facts.count
      ? `${Douai.num(facts.count, 0)} tronçon${facts.count > 1 ? "s" : ""} de rue${facts.count > 1 ? "s" : ""} montré${facts.count > 1 ? "s" : ""}, ${facts.lo === facts.hi ? "" : `de ${Douai.num(facts.lo, 0)} à `}${Douai.num(facts.hi, 0)} passages de vélo cargo sur la période.`
      : `Aucune rue n'a été parcourue ${Douai.num(doc.min_passages, 0)} fois ou plus à vélo cargo sur la période.`;
  }

  function renderCharts(data) {
    const f = BY_KEY[state.figure];
    root.querySelector("#chart-days").innerHTML = chartFigure({
      id: "days",
      caption: `${f.label} par jour`,
      what: "jour",
      bars: data.days.map((d) => ({
        label: fmtShort.format(parse(d.date)), name: dayLabel(d.date), value: d[f.key], muted: !d.plan_in_force,
      })),
      figure: f,
      table: dayTable(data.days),
    });
    root.querySelector("#chart-weeks").innerHTML = chartFigure({
      id: "weeks",
      caption: `${f.label} par semaine`,
      what: "semaine",
      bars: data.weeks.map((w) => ({
        label: weekLabel(w.week), name: `${weekLabel(w.week)} (${dayLabel(w.from)} – ${dayLabel(w.to)})`,
        sub: `${fmtShort.format(parse(w.from))} – ${fmtShort.format(parse(w.to))}`,
        value: w[f.key], muted: w.days_with_plan === 0,
      })),
      figure: f,
      table: weekTable(data.weeks),
    });
  }

  /** A step of 1, 2, 2.5 or 5 times a power of ten, giving about `ticks` intervals up to `max`. */
  function niceStep(max, ticks, integer) {
    const raw = max / ticks;
    const mag = 10 ** Math.floor(Math.log10(raw));
    const r = raw / mag;
    const step = (r <= 1 ? 1 : r <= 2 ? 2 : r <= 2.5 ? 2.5 : r <= 5 ? 5 : 10) * mag;
    return integer ? Math.max(1, Math.ceil(step)) : step;
  }

  /** A bar chart as SVG (one `rect.bar` per bar), with its title and description. */
  function barChart({ id, caption, what, bars, figure }) {
    const W = 760, H = 276, M = { l: 60, r: 12, t: 26, b: 54 };
    const iw = W - M.l - M.r, ih = H - M.t - M.b;
    const values = bars.map((b) => Number(b.value) || 0);
    const max = Math.max(0, ...values);
    const step = max > 0 ? niceStep(max, 4, figure.digits === 0) : 1;
    const top = Math.max(step, Math.ceil(max / step - 1e-9) * step);
    const y = (v) => M.t + ih - (v / top) * ih;
    const n = Math.max(1, bars.length);
    const slot = iw / n;
    const bw = Math.max(1, Math.min(56, slot * 0.72));
    const every = Math.max(1, Math.ceil(n / Math.floor(iw / 52)));
    const parts = [];
    for (let v = 0; v <= top + 1e-9; v += step) {
      const yy = y(v).toFixed(1);
      parts.push(`<line class="grid" x1="${M.l}" x2="${W - M.r}" y1="${yy}" y2="${yy}"/>`,
        `<text class="tick" x="${M.l - 6}" y="${yy}" dy="0.32em" text-anchor="end">${nfTick.format(v)}</text>`);
    }
    bars.forEach((b, i) => {
      const v = values[i];
      const x = M.l + i * slot + (slot - bw) / 2;
      const h = Math.max(0, (v / top) * ih);
      const cx = (x + bw / 2).toFixed(1);
      parts.push(`<rect class="bar${b.muted ? " no-plan" : ""}" x="${x.toFixed(1)}" y="${(M.t + ih - h).toFixed(1)}" `
        + `width="${bw.toFixed(1)}" height="${h.toFixed(1)}"><title>${Douai.esc(b.name)} : ${Douai.esc(fmt(v, figure))}`
        + `${b.muted ? " (pas de tournées)" : ""}</title></rect>`);
      if (n <= 16 && v > 0) {
        parts.push(`<text class="value" x="${cx}" y="${(M.t + ih - h - 5).toFixed(1)}" text-anchor="middle">`
          + `${Douai.esc(Douai.num(v, figure.digits))}</text>`);
      }
      if (i % every === 0) {
        parts.push(`<text class="label${b.muted ? " no-plan" : ""}" x="${cx}" y="${M.t + ih + 17}" text-anchor="middle">${Douai.esc(b.label)}</text>`);
        if (b.sub && slot >= 90) {
          parts.push(`<text class="sublabel" x="${cx}" y="${M.t + ih + 31}" text-anchor="middle">${Douai.esc(b.sub)}</text>`);
        }
      }
    });
    parts.push(`<line class="axis" x1="${M.l}" x2="${W - M.r}" y1="${M.t + ih}" y2="${M.t + ih}"/>`,
      `<line class="axis" x1="${M.l}" x2="${M.l}" y1="${M.t - 4}" y2="${M.t + ih}"/>`,
      `<text class="axis-title" x="${M.l + 6}" y="${M.t - 10}" text-anchor="start">${Douai.esc(figure.axis)}</text>`,
      `<text class="axis-title" x="${M.l + iw / 2}" y="${H - 8}" text-anchor="middle">${Douai.esc(what)}</text>`);

    const total = values.reduce((a, b) => a + b, 0);
    const best = values.indexOf(max);
    const desc = bars.length === 0 ? "Aucune donnée." :
      `${bars.length} barre${bars.length > 1 ? "s" : ""}, une par ${what}, de ${bars[0].name} à ${bars[bars.length - 1].name}. `
      + `Total : ${fmt(total, figure)}. `
      + (max > 0 ? `Maximum : ${fmt(max, figure)} (${bars[best].name}).` : "Toutes les valeurs sont nulles.")
      + " Le tableau qui suit donne tous les chiffres.";
    return `<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="chart-${id}-title chart-${id}-desc">`
      + `<title id="chart-${id}-title">${Douai.esc(caption)}</title><desc id="chart-${id}-desc">${Douai.esc(desc)}</desc>`
      + `${parts.join("")}</svg>`;
  }

  function chartFigure(spec) {
    return `<figcaption><h3>${Douai.esc(spec.caption)}</h3></figcaption>${barChart(spec)}
      <details class="data"><summary>Les chiffres par ${Douai.esc(spec.what)} (tableau)</summary>${spec.table}</details>`;
  }

  function cells(row) {
    return TABLE_FIGURES.map((f) => `<td class="num">${Douai.esc(fmt(row[f.key], { ...f, unit: "" }))}</td>`).join("");
  }

  const heads = () => TABLE_FIGURES.map((f) => `<th scope="col" class="num">${Douai.esc(f.column)}</th>`).join("");

  function dayTable(days) {
    const rows = days.map((d) => `<tr${d.plan_in_force ? "" : ' class="no-plan"'}><th scope="row">${Douai.esc(dayLabel(d.date))}</th>`
      + `<td>${d.plan_in_force ? "oui" : "non"}</td>${cells(d)}</tr>`).join("");
    return `<table><caption class="visually-hidden">Chiffres par jour</caption><thead><tr><th scope="col">Jour</th>`
      + `<th scope="col">Tournées</th>${heads()}</tr></thead><tbody>${rows}</tbody></table>`;
  }

  function weekTable(weeks) {
    const rows = weeks.map((w) => `<tr><th scope="row">${Douai.esc(weekLabel(w.week))}</th>`
      + `<td>${Douai.esc(dayLabel(w.from))} – ${Douai.esc(dayLabel(w.to))}</td>`
      + `<td class="num">${Douai.num(w.days_with_plan, 0)}</td>${cells(w)}</tr>`).join("");
    return `<table><caption class="visually-hidden">Chiffres par semaine</caption><thead><tr><th scope="col">Semaine</th>`
      + `<th scope="col">Jours</th><th scope="col" class="num">Jours avec tournées</th>${heads()}</tr></thead><tbody>${rows}</tbody></table>`;
  }

  function factorValue(key, value) {
    if (typeof value === "number") {
      if (key === "car_kg_co2e_per_km" || key === "bike_kg_co2e_per_km") return `${nfFactor.format(value)} kg CO₂e par km`;
      if (key === "default_substitution_share") return `${nfFactor.format(value * 100)} %`;
      return nfFactor.format(value);
    }
    return String(value);
  }

  function renderMethod(data) {
    const factors = Object.entries(data.factors || {}).map(([k, v]) => `
      <div class="factor" data-factor="${Douai.esc(k)}"><dt>${Douai.esc(FACTOR_LABELS[k] || k)}</dt>
      <dd>${Douai.esc(factorValue(k, v))}</dd></div>`).join("");
    root.querySelector("#method-body").innerHTML = `
      <ul class="summary">
        <li>Chaque commande livrée remplace un aller-retour en voiture du domicile du client à la boutique
          (un seul trajet pour un panier de plusieurs boutiques), mesuré sur les rues ouvertes aux voitures.</li>
        <li>CO₂ évité (brut) = km en voiture évités × le facteur ci-dessous.</li>
        <li>Net : tous les clients ne seraient pas venus en voiture. Les chiffres bruts sont multipliés par la
          part des livraisons qui ont remplacé un trajet en voiture : celle que donnent les réponses des clients
          (une question après la livraison) dès qu'il y en a assez sur la période, sinon une valeur par défaut
          publiée, citée ci-dessous. Les émissions des vélos cargo (km × leur facteur) sont déduites du CO₂ net.</li>
        <li>Km à vélo cargo et à pied : la distance réellement parcourue. Chaque tournée compte jusqu'à son
          dernier arrêt pointé par le coursier, et le retour une fois tous ses arrêts faits ; une tournée
          arrêtée après deux arrêts ne compte que le chemin jusqu'au deuxième.</li>
      </ul>
      <h3>Facteurs</h3>
      <dl class="factors">${factors}</dl>
      <h3>Texte de la méthode</h3>
      <p class="muted">Tel que l'API le publie :</p>
      <p class="method-text">${Douai.esc(data.method)}</p>`;
  }

  /** A file of the API, fetched with the token and saved under the API's name. */
  async function download(button, url, fallback) {
    button.disabled = true;
    status("Téléchargement en cours…");
    try {
      const r = await fetch(url, {
        headers: { Authorization: `Bearer ${(await Douai.session()) || ""}` },
      });
      if (!r.ok) {
        let body = null;
        try { body = await r.json(); } catch { body = null; }
        throw new Douai.ApiError(r.status, body);
      }
      const m = (r.headers.get("Content-Disposition") || "").match(/filename="?([^";]+)"?/);
      const name = m ? m[1] : fallback;
      const href = URL.createObjectURL(await r.blob());
      const a = document.createElement("a");
      a.href = href;
      a.download = name;
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(href), 10000);
      status(`Fichier ${name} enregistré.`);
    } catch (e) {
      failed(e, "Le téléchargement n'a pas abouti");
    } finally {
      button.disabled = false;
    }
  }

  start();
})();
