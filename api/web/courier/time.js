// The round's day and the phone's clock: the day shown (?date=…, else the phone's today),
// tap times with the phone's offset, and whether steps can be recorded now.
// Douai.* comes from common.js (a classic script loaded before the modules).

/** The round's day, YYYY-MM-DD: the address's ?date=…, else the phone's today. */
export const day = new URLSearchParams(location.search).get("date") || Douai.today();

/** ISO 8601 with the phone's offset: the server keeps the tap's own instant. */
export function isoLocal(d) {
  const p = (n, w = 2) => String(Math.abs(Math.trunc(n))).padStart(w, "0");
  const off = -d.getTimezoneOffset();
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}T${p(d.getHours())}:` +
    `${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}` +
    `${off >= 0 ? "+" : "-"}${p(off / 60)}:${p(off % 60)}`;
}

/** Local HH:MM of an ISO instant. */
export const clockOf = (iso) => new Date(iso).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });

/** The round's day in words ("mardi 16 mars 2032"). */
export function dayLabel() {
  const d = new Date(`${day}T12:00:00`);
  return d.toLocaleDateString("fr-FR", { weekday: "long", day: "numeric", month: "long", year: "numeric" });
}

/** Whether taps can be recorded now: the server takes a round's steps on its own day
 * only (and within an hour after its midnight, for a round that ran late). */
export function stepsTakenToday() {
  if (day === Douai.today()) return true;
  const now = new Date();
  const yesterday = new Date(now.getFullYear(), now.getMonth(), now.getDate() - 1, 12);
  const p = (n) => String(n).padStart(2, "0");
  const y = `${yesterday.getFullYear()}-${p(yesterday.getMonth() + 1)}-${p(yesterday.getDate())}`;
  return day === y && now.getHours() < 1;
}
