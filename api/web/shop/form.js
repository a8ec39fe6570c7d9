// "Nouvelle commande": reference, day, slot (the shop's slots), parcel size (presets),
// the customer, and the address chosen among the places the API proposes as it is typed
// (3 characters or more, 300 ms after the last key). A refusal is shown next to its
// field, in French: the API's own sentence when it has one, else one naming the field;
// an address the API cannot place offers its candidates the same way as the typing does.

import { html, render } from "../lib/html.js";
import { $, ApiError, api, dayWords, failure, handle, hm, refreshOrders, state } from "./state.js";
import { FIELD_LABEL, conflictOf, fieldSentence } from "./words.js";

const MIN_CHARS = 3;
const DEBOUNCE_MS = 300;

/** Where a field of the API shows its refusal (the form's own field names). */
const HOME = { deliver_from: "slot", deliver_to: "slot", weight_kg: "parcel", volume_l: "parcel",
  customer_lon: "customer_address", customer_lat: "customer_address" };
const SHOWN = new Set(["order_id", "date", "slot", "parcel", "customer_address", "customer_name",
  "customer_phone", "customer_email", "delivery_notes"]);

let chosen = null;     // {label, lon, lat}: the address picked among the candidates
let offered = [];      // the candidates on screen
let timer = null;      // the wait before asking for candidates
let asked = 0;         // the newest request for candidates (older answers are dropped)
let sending = false;

const form = () => $("#order-form");
const addressInput = () => $("#customer_address");

// ---------------------------------------------------------------- choices of the shop

/** The shop's slots and parcel sizes (its usual one first chosen), and today as the default day. */
export function fillChoices() {
  const { slots, parcels, default_parcel: usual } = state.shop;
  const picked = $("#slot").value;
  render($("#slot"), slots.map((s) => html`<option value="${s.from}|${s.to}">${s.from} – ${s.to}</option>`));
  if (picked) $("#slot").value = picked;
  const size = form().querySelector("input[name=parcel]:checked")?.value
    || (parcels.some((p) => p.code === usual) ? usual : parcels[0]?.code);
  render($("#parcels"), parcels.map((p) => html`<label class="choice">
      <input type="radio" name="parcel" value="${p.code}" ${p.code === size ? html`checked` : ""}>
      <span>${p.label} <span class="muted">(${Douai.num(p.weight_kg)} kg, ${Douai.num(p.volume_l)} L)</span></span>
    </label>`));
  for (const input of [$("#date"), $("#import-date")]) {
    input.min = state.today;
    if (!input.value) input.value = state.today;
  }
  if (!picked) nextSlot();
}

/** Today, the first slot that has not ended yet. */
function nextSlot() {
  if ($("#date").value !== state.today) return;
  const d = new Date();
  const now = `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
  const next = state.shop.slots.find((s) => s.to > now);
  if (next) $("#slot").value = `${next.from}|${next.to}`;
}

// ---------------------------------------------------------------- the address

function addressStatus(text, ok) {
  const el = $("#address-status");
  el.textContent = text || "";
  el.classList.toggle("chosen", Boolean(ok));
}

function hideChoices() {
  offered = [];
  const list = $("#address-choices");
  render(list, "");
  list.hidden = true;
}

function showChoices(candidates, intro) {
  offered = candidates;
  const list = $("#address-choices");
  if (!candidates.length) {
    hideChoices();
    addressStatus("Aucune adresse proposée pour l'instant : continuez à taper (numéro, rue, ville).");
    return;
  }
  render(list, candidates.map((c, i) => html`<li>
      <button type="button" class="address-choice" data-i="${i}">${c.label}</button></li>`));
  list.hidden = false;
  const n = candidates.length;
  addressStatus(intro || `${n} ${n > 1 ? "adresses proposées" : "adresse proposée"} : choisissez la bonne.`);
}

function onAddressInput() {
  const input = addressInput();
  if (chosen && input.value !== chosen.label) chosen = null;
  hideError("customer_address");
  clearTimeout(timer);
  const text = input.value.trim();
  if (text.length < MIN_CHARS) {
    asked += 1;
    hideChoices();
    addressStatus("");
    return;
  }
  timer = setTimeout(() => suggest(text), DEBOUNCE_MS);
}

async function suggest(text) {
  const mine = ++asked;
  try {
    const r = await api("GET", `/api/addresses?q=${encodeURIComponent(text)}`);
    if (mine !== asked || chosen) return;
    showChoices(r.candidates || []);
  } catch (err) {
    if (mine !== asked) return;
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) {
      handle(err);
      return;
    }
    hideChoices();
    addressStatus("Les propositions d'adresse ne répondent pas : écrivez l'adresse complète (numéro, rue, ville).");
  }
}

function choose(i) {
  const c = offered[i];
  if (!c) return;
  chosen = { label: c.label, lon: c.lon, lat: c.lat };
  asked += 1;
  clearTimeout(timer);
  const input = addressInput();
  input.value = c.label;
  hideChoices();
  hideError("customer_address");
  addressStatus(`Adresse choisie : ${c.label}`, true);
  input.focus();
}

/** Arrows move between the input and the proposed addresses; Escape closes the list. */
function onAddressKeys(ev) {
  const buttons = [...document.querySelectorAll("#address-choices button")];
  if (!buttons.length) return;
  const at = buttons.indexOf(document.activeElement);
  if (ev.key === "ArrowDown") {
    ev.preventDefault();
    buttons[Math.min(at + 1, buttons.length - 1)].focus();
  } else if (ev.key === "ArrowUp") {
    ev.preventDefault();
    if (at <= 0) addressInput().focus();
    else buttons[at - 1].focus();
  } else if (ev.key === "Escape") {
    hideChoices();
    addressStatus("");
    addressInput().focus();
  }
}

// ---------------------------------------------------------------- refusals

function hideError(home) {
  const el = $(`#${home}-error`);
  if (el) {
    el.hidden = true;
    el.textContent = "";
  }
  $(`#${home}`)?.removeAttribute("aria-invalid");
}

function clearErrors() {
  for (const home of SHOWN) hideError(home);
  $("#form-error").hidden = true;
  $("#form-error").textContent = "";
}

/** Show `text` next to the API's `field` (or above the form for a field it has not). */
function showError(field, text, candidates) {
  const home = HOME[field] || field;
  if (!SHOWN.has(home)) {
    const el = $("#form-error");
    el.textContent = [el.textContent, text].filter(Boolean).join(" ");
    el.hidden = false;
    return;
  }
  const el = $(`#${home}-error`);
  if (!el.hidden) return;  // the first refusal of a field is enough
  el.textContent = text;
  el.hidden = false;
  $(`#${home}`)?.setAttribute("aria-invalid", "true");
  if (home === "customer_address" && candidates?.length) {
    chosen = null;
    showChoices(candidates, "Choisissez la bonne adresse dans la liste :");
  }
}

/** Focus the first field that was refused. */
function focusFirstError() {
  const shown = [...form().querySelectorAll(".field-error:not([hidden])")][0];
  if (!shown) return;
  const field = shown.closest(".field");
  const target = field?.querySelector("input:not([type=radio]), select, textarea")
    || field?.querySelector("input:checked") || shown;
  if (target === shown) shown.setAttribute("tabindex", "-1");
  target.focus();
}

function showRefusal(err) {
  const body = err instanceof ApiError ? err.body : null;
  if (err instanceof ApiError && err.status === 422 && Array.isArray(body?.detail)) {
    body.detail.forEach((d, i) => {
      const text = (i === 0 && body.message) || fieldSentence(d.field);
      showError(d.field, text, d.candidates);
    });
  } else if (err instanceof ApiError && err.status === 409) {
    const { field, taken } = conflictOf(body?.detail);
    const text = body?.message || (field === "order_id" && taken
      ? "Cette référence est déjà utilisée par une autre commande : choisissez-en une autre."
      : `La commande est refusée (${FIELD_LABEL[field] || field}) : elle entre en conflit avec ce qui est enregistré.`);
    showError(field, text);
  } else if (err instanceof ApiError && err.status === 503) {
    showError("customer_address", "Le service des adresses ne répond pas : réessayez dans un instant, "
      + "ou choisissez une adresse proposée.");
  } else {
    showError("body", `La commande n'est pas enregistrée : ${failure(err)}`);
  }
  focusFirstError();
}

// ---------------------------------------------------------------- sending

const text = (id) => $(`#${id}`).value.trim();

function orderBody() {
  const [from, to] = $("#slot").value.split("|");
  const code = form().querySelector("input[name=parcel]:checked")?.value;
  const parcel = state.shop.parcels.find((p) => p.code === code);
  const body = {
    order_id: text("order_id"), date: $("#date").value, deliver_from: from, deliver_to: to,
    weight_kg: parcel?.weight_kg, volume_l: parcel?.volume_l, customer_address: text("customer_address"),
  };
  for (const key of ["customer_name", "customer_phone", "customer_email", "delivery_notes"]) {
    if (text(key)) body[key] = text(key);
  }
  if (chosen && chosen.label === addressInput().value) {
    body.customer_lon = chosen.lon;
    body.customer_lat = chosen.lat;
  }
  return body;
}

/** What the browser can tell before asking: the fields that must be filled. */
function missing(body) {
  if (!body.order_id) showError("order_id", "Indiquez la référence de la commande.");
  if (!body.date) showError("date", "Choisissez le jour de livraison.");
  if (!body.deliver_from) showError("slot", "Choisissez un créneau de livraison.");
  if (body.weight_kg === undefined) showError("parcel", "Choisissez la taille du colis.");
  if (!body.customer_address) showError("customer_address", "Indiquez l'adresse de livraison.");
  return !form().querySelector(".field-error:not([hidden])");
}

function resetCustomer() {
  for (const id of ["order_id", "customer_address", "customer_name", "customer_phone", "customer_email",
    "delivery_notes"]) $(`#${id}`).value = "";
  chosen = null;
  hideChoices();
  addressStatus("");
}

/** Empty the form of any customer's details (signing out on a shared computer). */
export function resetForm() {
  resetCustomer();
  clearErrors();
  $("#form-msg").textContent = "";
}

async function submit(ev) {
  ev.preventDefault();
  if (sending) return;
  clearErrors();
  const msg = $("#form-msg");
  msg.textContent = "";
  msg.className = "msg";
  const body = orderBody();
  if (!missing(body)) {
    focusFirstError();
    return;
  }
  sending = true;
  $("#order-submit").setAttribute("aria-disabled", "true");
  msg.textContent = "Enregistrement…";
  try {
    const o = await api("POST", "/api/orders", body);
    msg.className = "msg ok";
    msg.textContent = `Commande ${o.shop_ref} enregistrée : livraison ${dayWords(o.date)}, `
      + `${hm(o.deliver_from)}–${hm(o.deliver_to)}.`;
    resetCustomer();
    refreshOrders().catch((err) => handle(err, "Mise à jour de la liste"));
  } catch (err) {
    msg.textContent = "";
    if (err instanceof ApiError && (err.status === 401 || err.status === 403)) handle(err);
    else showRefusal(err);
  } finally {
    sending = false;
    $("#order-submit").removeAttribute("aria-disabled");
  }
}

export function wireForm() {
  form().addEventListener("submit", submit);
  addressInput().addEventListener("input", onAddressInput);
  $("#customer_address").closest(".field").addEventListener("keydown", onAddressKeys);
  $("#address-choices").addEventListener("click", (ev) => {
    const button = ev.target.closest("button.address-choice");
    if (button) choose(Number(button.dataset.i));
  });
  $("#date").addEventListener("change", nextSlot);
  // A field corrected loses its refusal.
  form().addEventListener("input", (ev) => {
    const field = ev.target.closest(".field");
    if (field?.dataset.field && field.dataset.field !== "customer_address") hideError(field.dataset.field);
  });
}
