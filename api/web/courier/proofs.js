// Proof of delivery on the phone: the recipient's name, a photo (the camera; shrunk here
// to 1600 px at most, JPEG) and a signature (a canvas), kept until the server has them.
// The images wait in IndexedDB (too big for localStorage); the queue of taps holds a
// "proof" entry that names them, after the stop's tap, so they are sent in order.

const DB = "douai-courier";
const IMAGES = "proof-images";
const LONGEST = 1600;  // px, the longer side of a photo sent

function open() {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(IMAGES);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function run(mode, fn) {
  const db = await open();
  try {
    return await new Promise((resolve, reject) => {
      const tx = db.transaction(IMAGES, mode);
      const req = fn(tx.objectStore(IMAGES));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error);
    });
  } finally {
    db.close();
  }
}

/** Keep a proof's images ({photo, signature}: Blobs or null) under `id`. */
export const keepImages = (id, images) => run("readwrite", (s) => s.put(images, id));
export const imagesOf = (id) => run("readonly", (s) => s.get(id));
export const forgetImages = (id) => run("readwrite", (s) => s.delete(id));

/** A photo as the server takes it: JPEG, the longer side at most 1600 px. */
export async function shrink(file) {
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, LONGEST / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.max(1, Math.round(bitmap.width * scale));
  canvas.height = Math.max(1, Math.round(bitmap.height * scale));
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#fff";
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  return new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.85));
}

/** A canvas the recipient signs with a finger; `signed()` says whether they did. */
export function signaturePad(canvas) {
  const ctx = canvas.getContext("2d");
  let drawing = false;
  let marked = false;
  const fit = () => {
    const box = canvas.getBoundingClientRect();
    canvas.width = Math.round(box.width);
    canvas.height = Math.round(box.height);
    ctx.lineWidth = 3;
    ctx.lineCap = "round";
    ctx.strokeStyle = "#111";
  };
  fit();
  const at = (ev) => {
    const box = canvas.getBoundingClientRect();
    return [ev.clientX - box.left, ev.clientY - box.top];
  };
  canvas.addEventListener("pointerdown", (ev) => {
    drawing = true;
    canvas.setPointerCapture(ev.pointerId);
    ctx.beginPath();
    ctx.moveTo(...at(ev));
    ev.preventDefault();
  });
  canvas.addEventListener("pointermove", (ev) => {
    if (!drawing) return;
    ctx.lineTo(...at(ev));
    ctx.stroke();
    marked = true;
    canvas.dataset.signed = "yes";
  });
  const end = () => { drawing = false; };
  canvas.addEventListener("pointerup", end);
  canvas.addEventListener("pointercancel", end);
  return {
    signed: () => marked,
    clear() {
      ctx.clearRect(0, 0, canvas.width, canvas.height);
      marked = false;
      delete canvas.dataset.signed;
    },
    /** The signature as PNG (white behind the strokes), or null when not signed. */
    async image() {
      if (!marked) return null;
      const out = document.createElement("canvas");
      out.width = canvas.width;
      out.height = canvas.height;
      const o = out.getContext("2d");
      o.fillStyle = "#fff";
      o.fillRect(0, 0, out.width, out.height);
      o.drawImage(canvas, 0, 0);
      return new Promise((resolve) => out.toBlob(resolve, "image/png"));
    },
  };
}

/** Send one queued proof (multipart, with the page's token); resolves to the server's answer. */
export async function sendProof(entry) {
  const images = (await imagesOf(entry.id)) || {};
  const form = new FormData();
  if (entry.recipient_name) form.append("recipient_name", entry.recipient_name);
  form.append("at", entry.at);
  if (images.photo) form.append("photo", images.photo, "photo.jpg");
  if (images.signature) form.append("signature", images.signature, "signature.png");
  const r = await fetch(`/api/stops/${entry.stop_id}/proof`, {
    method: "POST", body: form, headers: { Authorization: `Bearer ${(await Douai.session()) || ""}` },
  });
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = text; }
  if (!r.ok) throw new Douai.ApiError(r.status, data);
  return data;
}
