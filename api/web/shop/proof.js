// "Preuve de remise" of a delivered order: who took the parcel, when, and the photo and
// signature (read with the page's token; shown as data: URLs, which the page's
// Content-Security-Policy allows for images, unlike blob: ones).

import { html, render } from "../lib/html.js";
import { ApiError, api, orderPath } from "./state.js";

/** The image at `path` (same token) as a data: URL. */
async function imageData(path) {
  const r = await fetch(path, { headers: { Authorization: `Bearer ${(await Douai.session()) || ""}` } });
  if (!r.ok) throw new ApiError(r.status, null);
  const blob = await r.blob();
  return new Promise((resolve) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result);
    reader.readAsDataURL(blob);
  });
}

/** Show the proof of order `id` in `box` (a second call hides it). */
export async function toggleProof(id, box, button) {
  if (!box.hidden) {
    box.hidden = true;
    button.setAttribute("aria-expanded", "false");
    return;
  }
  box.hidden = false;
  button.setAttribute("aria-expanded", "true");
  render(box, html`<p class="muted">Chargement de la preuve…</p>`);
  try {
    const proof = await api("GET", orderPath(id, "proof"));
    const [photo, signature] = await Promise.all([
      proof.photo_url ? imageData(proof.photo_url) : null,
      proof.signature_url ? imageData(proof.signature_url) : null,
    ]);
    const at = new Date(proof.at).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
    render(box, html`<p>Remis à ${at}${proof.recipient_name ? html`, à <strong>${proof.recipient_name}</strong>` : ""}.</p>
      ${photo ? html`<img class="proof-photo" src="${photo}" alt="Photo prise par le livreur à la remise">` : ""}
      ${signature ? html`<img class="proof-signature" src="${signature}" alt="Signature de la personne qui a reçu le colis">` : ""}`);
  } catch (err) {
    render(box, html`<p class="muted">${err instanceof ApiError && err.status === 404
      ? "Le livreur n'a pas enregistré de preuve pour cette commande."
      : "La preuve n'a pas pu être chargée : réessayez."}</p>`);
  }
}
