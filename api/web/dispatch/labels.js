// What the page writes for the API's codes (French on screen), and the rounds' colours.

// Okabe–Ito: told apart with the common colour-vision deficiencies. Past eight
// rounds the colours come again with a dashed line.
export const PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000", "#F0E442"];
export const DASHES = [null, "12 6", "3 6", "16 5 3 5"];
export const NO_ROUND = "#ffffff";
export const BAD = "#a0121d";

export const ORDER_STATUS = { received: "reçue", planned: "planifiée", picked_up: "récupérée",
  delivered: "livrée", failed: "échec", cancelled: "annulée" };
export const STOP_STATUS = { pending: "à faire", arrived: "sur place", done: "fait", failed: "échec",
  cancelled: "annulé" };
export const STOP_KIND = {
  start: "départ", pickup: "retrait", delivery: "livraison", return: "retour de colis", end: "fin de tournée",
};
export const EVENT = { arrived: "arrivé", picked_up: "récupéré", delivered: "livré", failed: "échec",
  returned: "rapporté" };
export const MODE = { cargo_bike: "vélo cargo", foot: "à pied" };
export const PLAN_STATUS = { queued: "en file d'attente", running: "calcul en cours", solved: "calculé",
  failed: "échec du calcul" };
export const REASON = { too_heavy: "trop lourde", too_bulky: "trop volumineuse",
  slot_impossible: "créneau intenable", shop_closed: "commerce fermé", unreachable: "inaccessible",
  off_network: "hors du réseau de rues", no_courier_left: "aucun coursier disponible", invalid: "invalide" };
export const CHANGE_STATUS = { queued: "en attente", applied: "appliqué", refused: "refusé" };

/** Order statuses that a move may still change. */
export const MOVABLE = new Set(["received", "planned"]);

/** Order statuses whose customer's place a dispatcher may still correct. */
export const PLACEABLE = new Set(["received", "planned", "picked_up"]);
