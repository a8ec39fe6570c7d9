// A parcel's label: GET /api/orders/{id}/label, shown in the printable area (the only
// thing on paper, see shop.css) and printed. The QR code is the server's own SVG: it is
// parsed as SVG (DOMParser) and its element put in place, never pasted as text beside
// the customer's details, which go through the escaping templates.

import { html, render } from "../lib/html.js";
import { $, api, dayLong, handle, orderPath } from "./state.js";

let opener = null;  // the button that asked for the label: focus goes back to it

/** The QR code as an <svg> element (scripts, event handlers and links removed), or null. */
function qrElement(markup, orderId) {
  const doc = new DOMParser().parseFromString(markup, "image/svg+xml");
  const svg = doc.documentElement;
  if (!svg || svg.localName !== "svg" || doc.querySelector("parsererror")) return null;
  for (const el of svg.querySelectorAll("script, foreignObject, a")) el.remove();
  for (const el of [svg, ...svg.querySelectorAll("*")]) {
    for (const attr of [...el.attributes]) {
      if (/^on/i.test(attr.name) || /href$/i.test(attr.name)) el.removeAttribute(attr.name);
    }
  }
  // Drawn at its own size by the server: a viewBox lets it scale to the label.
  const [w, h] = [parseFloat(svg.getAttribute("width")), parseFloat(svg.getAttribute("height"))];
  if (!svg.hasAttribute("viewBox") && w > 0 && h > 0) svg.setAttribute("viewBox", `0 0 ${w} ${h}`);
  const node = document.importNode(svg, true);
  node.setAttribute("role", "img");
  node.setAttribute("aria-label", `QR code de la commande ${orderId}`);
  return node;
}

function showLabel(label) {
  render($("#label"), html`<div class="qr"></div>
    <div class="text">
      <p class="who">${label.customer_name || "Client"}</p>
      <p class="where">${label.address || ""}</p>
      <p class="when">Livraison le ${dayLong(label.date)}, ${label.slot}</p>
      <p class="ref">Commande ${label.shop_ref}</p>
      <p class="from">${label.shop_name ? `De : ${label.shop_name}` : ""}</p>
    </div>`);
  const qr = qrElement(label.qr_svg || "", label.shop_ref);
  if (qr) $("#label .qr").replaceChildren(qr);
  else $("#label .qr").remove();
  const area = $("#label-area");
  area.hidden = false;
  area.focus();
}

/** Fetch the label of `orderId`, show it and print it. */
export async function printLabel(orderId, button) {
  opener = button || null;
  try {
    const label = await api("GET", orderPath(orderId, "label"));
    showLabel(label);
    window.print();
  } catch (err) {
    handle(err, "Étiquette");
  }
}

export function closeLabel() {
  $("#label-area").hidden = true;
  render($("#label"), "");
  if (opener?.isConnected) opener.focus();
  opener = null;
}

export function wireLabel() {
  $("#label-print").addEventListener("click", () => window.print());
  $("#label-close").addEventListener("click", closeLabel);
}
