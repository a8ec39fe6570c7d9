// What the page writes for the API's codes and field names (French on screen).

export const ORDER_STATUS = { received: "reçue", planned: "planifiée", picked_up: "récupérée",
  delivered: "livrée", failed: "échec", cancelled: "annulée" };

/** Orders the shop may still change: mark ready, cancel, print the label. */
export const OPEN = new Set(["received", "planned"]);

/** The form's fields by the API's names, as the shopkeeper reads them. */
export const FIELD_LABEL = {
  order_id: "Référence de la commande",
  date: "Jour de livraison",
  deliver_from: "Créneau de livraison",
  deliver_to: "Créneau de livraison",
  ready_at: "Heure où le colis est prêt",
  weight_kg: "Taille du colis (poids)",
  volume_l: "Taille du colis (volume)",
  customer_address: "Adresse de livraison",
  customer_lon: "Adresse de livraison (position)",
  customer_lat: "Adresse de livraison (position)",
  customer_name: "Nom du client",
  customer_phone: "Téléphone",
  customer_email: "E-mail",
  delivery_notes: "Instructions de livraison",
  basket_id: "Panier",
  shop_id: "Commerce",
  at: "Heure",
  body: "Fichier",
};

/** The columns of an imported file, as a row's refusal names them. */
export const COLUMN_LABEL = {
  order_id: "référence", customer_address: "adresse", customer_name: "nom", customer_phone: "téléphone",
  customer_email: "e-mail", delivery_notes: "instructions", weight_kg: "poids", volume_l: "volume",
  deliver_from: "début du créneau", deliver_to: "fin du créneau", ready_at: "heure où le colis est prêt",
  customer_lon: "longitude", customer_lat: "latitude", "customer_lon/customer_lat": "position",
  shop_id: "commerce", basket_id: "panier", body: "ligne entière",
};

/** What to do about a refused field, in plain words (when the API gives no sentence). */
const ADVICE = {
  order_id: "lettres, chiffres, tiret (-), point (.) ou souligné (_), sans espace ni accent.",
  date: "choisissez un jour proche (aujourd'hui ou un jour à venir).",
  deliver_from: "choisissez un créneau dans la liste.",
  deliver_to: "choisissez un créneau dans la liste.",
  weight_kg: "choisissez une taille de colis.",
  volume_l: "choisissez une taille de colis.",
  customer_address: "vérifiez l'adresse (numéro, rue, ville) ou choisissez une proposition.",
  customer_lon: "choisissez l'adresse à nouveau dans la liste.",
  customer_lat: "choisissez l'adresse à nouveau dans la liste.",
  customer_name: "le nom est trop long ou contient des caractères refusés.",
  customer_phone: "seulement des chiffres, espaces, points, tirets, et un + au début (6 chiffres au moins).",
  customer_email: "vérifiez l'adresse e-mail (par exemple : nom@exemple.fr).",
  delivery_notes: "le texte est trop long (500 caractères au plus) ou contient des caractères refusés.",
  at: "l'heure doit être avant la fin du créneau de livraison.",
};

/** What to do about a refused column of an imported file. */
const ROW_ADVICE = {
  ...ADVICE,
  customer_address: "vérifiez l'adresse : numéro, rue, code postal et ville.",
  deliver_from: "une heure comme 10:00, avant la fin du créneau.",
  deliver_to: "une heure comme 12:00, après le début du créneau.",
  ready_at: "une heure comme 09:30, avant la fin du créneau.",
  weight_kg: "un nombre de kilos, par exemple 2 ou 2.5.",
  volume_l: "un nombre de litres, par exemple 10.",
  customer_lon: "laissez la colonne vide : l'adresse suffit.",
  customer_lat: "laissez la colonne vide : l'adresse suffit.",
};

/** What to do about a refused column of a file (null when there is nothing specific). */
export const rowAdvice = (field) => ROW_ADVICE[field] || null;

/** The French sentence for a field the API refused without one of its own. */
export function fieldSentence(field, label = FIELD_LABEL[field]) {
  const name = label || field;
  const advice = ADVICE[field];
  return `« ${name} » n'est pas accepté : ${advice || "vérifiez ce champ."}`;
}

/** A 409's field and whether it is an id already taken (its detail is "field: problem"). */
export function conflictOf(detail) {
  const text = typeof detail === "string" ? detail : "";
  const [field] = text.split(":", 1);
  return { field: /^[a-z_]+$/.test(field) ? field : "body", taken: /exists already/.test(text) };
}
