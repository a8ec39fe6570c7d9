// Shared by the three pages: the token (from #token=… or the sign-in form, kept in
// localStorage per page), JSON calls to the API, and French formatting helpers.
// English in code, French on screen: the people using the pages are in Douai.
"use strict";

const Douai = (() => {
  const role = document.body.dataset.role || "app";
  const KEY = `douai.token.${role}`;

  /** The token: from the address (#token=…, then removed from it), else the saved one. */
  function token() {
    const m = location.hash.match(/token=([^&]+)/);
    if (m) {
      localStorage.setItem(KEY, decodeURIComponent(m[1]));
      history.replaceState(null, "", location.pathname + location.search);
    }
    return localStorage.getItem(KEY);
  }

  function signOut() {
    localStorage.removeItem(KEY);
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
      localStorage.setItem(KEY, value);
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

  /** The API's error body as one French-readable line. */
  function describe(body) {
    if (!body) return "";
    const d = body.detail;
    if (Array.isArray(d)) return d.map((x) => `${x.field} : ${x.problem}`).join(" ; ");
    return typeof d === "string" ? d : body.error || "";
  }

  /**
   * A JSON call with the page's token. Resolves to the parsed body; rejects with an
   * ApiError (the server answered 4xx/5xx) or a TypeError (no network).
   */
  async function api(method, path, body, extraHeaders) {
    const headers = { Authorization: `Bearer ${localStorage.getItem(KEY) || ""}`, ...(extraHeaders || {}) };
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

  return { role, token, signIn, signOut, api, ApiError, describe, esc, km, num, hm, today, map, latlngs };
})();
