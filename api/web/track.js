// The tracking page brings itself up to date every minute, in place (no reload, no
// framework): it reads the same page again and swaps the text when it changed. Without
// JavaScript the page is the same, with its "Actualiser" link.
"use strict";
(function () {
  const EVERY_MS = 60000;
  const main = document.querySelector("main");
  if (!main || main.dataset.final === "yes") return;
  async function update() {
    try {
      const r = await fetch(location.pathname, { cache: "no-store" });
      if (!r.ok) return;
      const fresh = new DOMParser().parseFromString(await r.text(), "text/html").querySelector("main");
      if (fresh && fresh.innerHTML !== main.innerHTML) {
        main.innerHTML = fresh.innerHTML;
        main.dataset.final = fresh.dataset.final || "";
      }
      if (main.dataset.final === "yes") return;
    } catch {
      // no network: the next minute tries again
    }
    setTimeout(update, EVERY_MS);
  }
  setTimeout(update, EVERY_MS);
})();
