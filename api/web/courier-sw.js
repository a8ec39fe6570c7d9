// The courier page's service worker: keeps the page, its scripts and styles and Leaflet
// on the phone so that /courier opens again in a dead zone. The round itself lives in
// localStorage (courier/store.js); /api/ calls are never answered from here (network
// only), so the page always knows whether the server really got a tap.
"use strict";

// A new name for every change of FILES: the phones then drop the old copies.
const CACHE = "douai-courier-v6";
// Every module the page imports must be here, or the page does not open offline (a test
// follows the imports from courier/main.js and checks them against this list).
const FILES = [
  "/courier",
  "/static/courier/main.js",
  "/static/courier/actions.js",
  "/static/courier/map.js",
  "/static/courier/positions.js",
  "/static/courier/proofs.js",
  "/static/courier/render.js",
  "/static/courier/round.js",
  "/static/courier/state.js",
  "/static/courier/store.js",
  "/static/courier/sync.js",
  "/static/courier/time.js",
  "/static/lib/html.js",
  "/static/lib/poll.js",
  "/static/courier.css",
  "/static/common.js",
  "/static/common.css",
  "/static/vendor/leaflet/leaflet.js",
  "/static/vendor/leaflet/leaflet.css",
];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(FILES)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  // Drop the caches of older versions, then serve the open page at once.
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("douai-courier-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

/** A fresh copy of `path`, kept for the next opening. */
function refresh(path) {
  return fetch(path, { cache: "no-cache" }).then(async (r) => {
    if (r.ok) await (await caches.open(CACHE)).put(path, r.clone());
    return r;
  });
}

/** The cached copy at once (no waiting on a dead network), else the network's. */
async function cacheFirst(path, fresh) {
  const cached = await (await caches.open(CACHE)).match(path);
  return cached || fresh;
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  // /courier?date=… is the same page as /courier: its query is for the script.
  if (!FILES.includes(url.pathname)) return;  // /api/ and the rest: network only
  const fresh = refresh(url.pathname);
  event.waitUntil(fresh.catch(() => null));  // offline: the cached copy stays
  event.respondWith(cacheFirst(url.pathname, fresh));
});
