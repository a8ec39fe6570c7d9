// "Importer un fichier CSV": the file's text is posted as it is (text/csv) for the day
// chosen; a small file is imported at once (201), a big one by the worker (202: its
// status is read every 2 s until it is done or failed). A refused file names its row
// and column: shown as "Ligne 4 : adresse (customer_address) — …"; nothing is kept.

import { html, render } from "../lib/html.js";
import {
  $, ApiError, IMPORT_POLL_MS, api, failure, follow, handle, refreshOrders, sendText, stopFollowing,
} from "./state.js";
import { COLUMN_LABEL, conflictOf, rowAdvice } from "./words.js";

const COLUMNS = "order_id,customer_address,customer_name,customer_phone,weight_kg,volume_l,deliver_from,deliver_to";
const EXAMPLE = [
  COLUMNS,
  'C101,"12 Rue de Bellain, 59500 Douai",Marie Dupont,06 12 34 56 78,2,10,10:00,12:00',
  'C102,"5 Place d\'Armes, 59500 Douai",Paul Martin,,5,25,14:00,16:00',
].join("\r\n") + "\r\n";

let importing = false;

export function fillExample() {
  $("#import-example").href = `data:text/csv;charset=utf-8,${encodeURIComponent(EXAMPLE)}`;
}

const counted = (n) => `${n} ${n > 1 ? "commandes importées" : "commande importée"}.`;

function result(content, ok) {
  const el = $("#import-result");
  el.className = `msg ${ok === undefined ? "" : ok ? "ok" : "bad"}`;
  render(el, content);
}

/** One refused row: where, which column, what is wrong (the API's French sentence)
 * and what the column takes; the API's English words only when it gave no sentence. */
function rowLine(p, message) {
  const where = p.row ? `Ligne ${p.row}` : "Fichier";
  const column = p.field && p.field !== "body"
    ? `${COLUMN_LABEL[p.field] || p.field} (${p.field})` : "ligne entière";
  const said = p.message || message;
  const advice = rowAdvice(p.field);
  return html`<li><strong>${where} : ${column}</strong> — ${said || advice || "valeur refusée : corrigez-la."}
    ${said && advice ? html`<span class="detail">Conseil : ${advice}</span>` : ""}
    ${!said && p.problem ? html`<span class="detail">Détail : ${p.problem}</span>` : ""}</li>`;
}

function refusedRows(problems, message) {
  result(html`<p>Le fichier est refusé : rien n'a été importé.</p>
    <ul class="refused">${problems.map((p, i) => rowLine(p, i === 0 ? message : null))}</ul>
    <p>Corrigez le fichier, puis importez-le à nouveau.</p>`, false);
}

function done(imported) {
  result(counted(imported), true);
  $("#import-file").value = "";
  refreshOrders().catch((err) => handle(err, "Mise à jour de la liste"));
}

/** A big file: its job's status every 2 s until it is done or failed. */
function followJob(url) {
  result("Import en cours… (le fichier est gros : cela peut prendre une minute)");
  follow("import", async () => {
    const job = await api("GET", url);
    if (job.status === "done") done(job.imported ?? 0);
    else if (job.status === "failed") {
      if (job.error) refusedRows([job.error]);
      else result("L'import a échoué : rien n'a été importé.", false);
    }
    return job;
  }, {
    every: IMPORT_POLL_MS, delay: IMPORT_POLL_MS,
    until: (job) => job.status === "done" || job.status === "failed",
    onError: (err) => {
      if (err instanceof ApiError) {
        if (!handle(err)) result(`Suivi de l'import : ${failure(err)}`, false);
        return null;
      }
      return IMPORT_POLL_MS;  // no network for now: try again
    },
  });
}

function refused(err) {
  const body = err instanceof ApiError ? err.body : null;
  if (err instanceof ApiError && err.status === 422 && Array.isArray(body?.detail)) {
    refusedRows(body.detail, body.message);
  } else if (err instanceof ApiError && err.status === 409) {
    const { taken } = conflictOf(body?.detail);
    result(html`<p>Le fichier est refusé : rien n'a été importé.</p>
      <p>${body?.message || (taken ? "Une commande du fichier a une référence déjà utilisée."
        : "Une commande du fichier entre en conflit avec ce qui est enregistré.")}
      <span class="detail">Détail : ${typeof body?.detail === "string" ? body.detail : ""}</span></p>`, false);
  } else {
    result(`Le fichier n'est pas importé : ${failure(err)}`, false);
  }
}

async function submit(ev) {
  ev.preventDefault();
  if (importing) return;
  const file = $("#import-file").files[0];
  const date = $("#import-date").value;
  if (!file) {
    result("Choisissez d'abord le fichier CSV à importer.", false);
    $("#import-file").focus();
    return;
  }
  if (!date) {
    result("Choisissez le jour de livraison.", false);
    $("#import-date").focus();
    return;
  }
  importing = true;
  stopFollowing("import");
  result("Envoi du fichier…");
  try {
    const text = await file.text();
    const r = await sendText("POST", `/api/orders/import?date=${encodeURIComponent(date)}`, text, "text/csv");
    if (r.status === 202) followJob(r.body.status_url);
    else done(r.body.imported);
  } catch (err) {
    if (!(err instanceof ApiError && (err.status === 401 || err.status === 403))) refused(err);
    else handle(err);
  } finally {
    importing = false;
  }
}

export function wireImport() {
  $("#import-form").addEventListener("submit", submit);
}
