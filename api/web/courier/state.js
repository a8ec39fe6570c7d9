// The page's state, and the few things every part may ask of the page: draw the round
// again, show the round, ask for a token (set by main.js: the modules it draws with
// import this one, not the reverse), and say a problem in one line.

export const $ = (id) => document.getElementById(id);

export const state = {
  online: navigator.onLine,
  failing: null,      // the stop whose failure reason is being chosen
  proving: null,      // {stop_id, step, reason}: the proof being taken before the step is queued
  lastFix: null,      // the latest position {lon, lat, t} (t: when, in ms)
  lastQueuedFix: 0,   // when a position was last queued (ms)
  sentAt: null,       // when the queue was last emptied by sending (Date)
  watchId: null,
  loops: [],          // the polling loops in flight (poll.js handles)
  map: null,
  layers: null,
  fitted: false,
  barKey: null,       // the step the action bar shows (re-drawn only when it changes)
  doneOpen: false,    // whether the courier unfolded the finished stops
  lastStepAt: 0,      // when the last step button was tapped (ms)
};

const hooks = { render() {}, showRound() {}, askToken() {} };

export function connect(fns) {
  Object.assign(hooks, fns);
}

/** Draw the round again (the saved one with the queued taps applied). */
export const redraw = () => hooks.render();

/** Show the round's part of the page (and the round, if one is saved). */
export const showRound = () => hooks.showRound();

/** The sign-in form: the token was refused (401), is not a courier's (403), or is gone (0). */
export const askToken = (status) => hooks.askToken(status);

/** One line about what went wrong (null: none, and the map is shown again). */
export function showProblem(text) {
  const p = $("problem");
  p.hidden = !text;
  p.textContent = text || "";
  if (!text) $("map").hidden = false;
}
