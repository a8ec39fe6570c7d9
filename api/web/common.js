// Shared by the three pages: signing in (the token from #token=… or the sign-in form is
// traded at once for a short session token, POST /api/sessions, so that the long-lived
// token never stays in the browser), JSON calls to the API, French formatting helpers.
// The session token is kept for the tab only (sessionStorage) on the dispatcher's and
// the city's pages, which may run on a shared counter computer, and on the phone
// (localStorage, data-keep="device") on the courier's page, which must open offline.
// English in code, French on screen: the people using the pages are in Douai.
"use strict";

const Douai = (() => {
  const role = document.body.dataset.role || "app";
  const KEY = `douai.token.${role}`;
  const store = document.body.dataset.keep === "device" ? window.localStorage : window.sessionStorage;
  let pending = null;     // a user token given to this page, not yet traded for a session
  let trading = null;     // the trade under way (one at a time)

  /** The token the page calls the API with: the session's, else one just given
   * (#token=…, then removed from the address). */
  function token() {
    const m = location.hash.match(/token=([^&]+)/);
    if (m) {
      pending = decodeURIComponent(m[1]);
      store.removeItem(KEY);
      history.replaceState(null, "", location.pathname + location.search);
    }
    return store.getItem(KEY) || pending;
  }

  /** Trade a pending user token for a session token; without network it is used as it
   * is until the next call. A refused token is an ApiError (401). */
  async function session() {
    if (!pending) return store.getItem(KEY);
    if (!trading) {
      const given = pending;
      trading = (async () => {
        const r = await fetch("/api/sessions", { method: "POST", headers: { Authorization: `Bearer ${given}` } });
        const data = await r.json().catch(() => null);
        if (!r.ok) {
          pending = null;
          throw new ApiError(r.status, data);
        }
        store.setItem(KEY, data.token);
        if (pending === given) pending = null;
        return data.token;
      })().finally(() => { trading = null; });
    }
    try {
      return await trading;
    } catch (e) {
      if (e instanceof ApiError) throw e;
      return pending;  // no network: the user token for now, traded later
    }
  }

  /** Sign out: the session ends on the server (when it can be told) and here. */
  function signOut() {
    const current = store.getItem(KEY);
    store.removeItem(KEY);
    pending = null;
    if (current) {
      fetch("/api/sessions/current", { method: "DELETE", headers: { Authorization: `Bearer ${current}` } })
        .catch(() => {});
    }
  }

  /** The sign-in form in `root`; calls `onToken(token)` once a token is given. */
  function signIn(root, onToken, message) {
    root.innerHTML = `
      <form class="signin" autocomplete="off">
        <h1>Connexion</h1>
        ${message ? `<p class="error" role="alert">${esc(message)}</p>` : ""}
        <label for="token-input">Jeton d'accès</label>
        <input id="token-input" name="token" type="password" required autocomplete="current-password">
        <button type="submit" class="primary">Se connecter</button>
      </form>`;
    root.querySelector("form").addEventListener("submit", (ev) => {
      ev.preventDefault();
      const value = root.querySelector("#token-input").value.trim();
      if (!value) return;
      store.removeItem(KEY);
      pending = value;
      onToken(value);
    });
  }

  class ApiError extends Error {
    constructor(status, body) {
      super(describe(body) || `HTTP ${status}`);
      this.status = status;
      this.body = body;
    }
  }

  /** The API's error body as one line: its French sentence when it has one. */
  function describe(body) {
    if (!body) return "";
    if (body.message) return body.message;
    const d = body.detail;
    if (Array.isArray(d)) return d.map((x) => `${x.field} : ${x.problem}`).join(" ; ");
    return typeof d === "string" ? d : body.error || "";
  }

  /**
   * A JSON call with the page's token. Resolves to the parsed body; rejects with an
   * ApiError (the server answered 4xx/5xx) or a TypeError (no network).
   */
  async function api(method, path, body, extraHeaders) {
    const headers = { Authorization: `Bearer ${(await session()) || ""}`, ...(extraHeaders || {}) };
    const init = { method, headers };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    const r = await fetch(path, init);
    const text = await r.text();
    let data = null;
    try { data = text ? JSON.parse(text) : null; } catch { data = text; }
    if (!r.ok) throw new ApiError(r.status, data);
    return data;
  }

  /** Text made safe for innerHTML. */
  function esc(s) {
    return String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
  }

  const nf1 = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 1 });
  const nf0 = new Intl.NumberFormat("fr-FR", { maximumFractionDigits: 0 });
  const km = (m) => `${nf1.format(m / 1000)} km`;
  const num = (x, digits = 1) => (digits === 0 ? nf0 : nf1).format(x);
  const hm = (t) => (t ? String(t).slice(0, 5) : "—");

  /** Today in the browser's zone, as YYYY-MM-DD. */
  function today() {
    const d = new Date();
    return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
  }

  /** A Leaflet map without network tiles unless `tiles` is given (the pages work offline). */
  function map(el, tiles) {
    const m = L.map(el, { zoomControl: true, attributionControl: true });
    if (tiles !== false) {
      L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
        maxZoom: 19, attribution: "© contributeurs OpenStreetMap",
      }).addTo(m);
    }
    return m;
  }

  /** GeoJSON [lon, lat] pairs as Leaflet [lat, lon]. */
  const latlngs = (coords) => coords.map(([x, y]) => [y, x]);

  return { role, token, session, signIn, signOut, api, ApiError, describe, esc, km, num, hm, today, map, latlngs };
})();
