// "Messages aux clients": the day's e-mails and SMS (from the outbox), how many went,
// wait or failed, and the failed and waiting ones with their order and the last error.

import { html, render } from "../lib/html.js";
import { $, api, handle, state } from "./state.js";

const CHANNEL = { email: "e-mail", sms: "SMS" };
const EVENT = { planned: "créneau confirmé", on_the_way: "livreur en route", delivered: "livré", failed: "échec" };
const STATUS = { pending: "en attente", sending: "en cours d'envoi", sent: "envoyé", failed: "échoué",
  skipped: "non envoyé" };

export async function loadMessages() {
  const gen = state.generation;
  try {
    const got = await api("GET", `/api/messages?date=${state.date}`);
    if (gen !== state.generation) return;
    renderMessages(got.messages);
  } catch (err) {
    handle(err, "Messages aux clients");
  }
}

function renderMessages(messages) {
  const count = (s) => messages.filter((m) => m.status === s).length;
  const troubled = messages.filter((m) => m.status !== "sent" && m.status !== "skipped");
  render($("#messages-summary"), messages.length
    ? html`${count("sent")} envoyé(s), ${count("pending") + count("sending")} en attente, ${count("failed")} échoué(s)`
    : html`<span class="muted">Aucun message ce jour.</span>`);
  render($("#messages-list"), troubled.map((m) => html`<li data-status="${m.status}">
      <strong>${m.order_id || "—"}</strong> · ${CHANNEL[m.channel] || m.channel} (${EVENT[m.event] || m.event}) :
      ${STATUS[m.status] || m.status}, ${m.attempts} essai(s)${m.last_error ? html` — <span class="muted">${m.last_error}</span>` : ""}
    </li>`));
}
