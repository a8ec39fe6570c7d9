// The pages' one polling helper: the dispatcher's plan progress, moves settling and live
// view, and the courier's queue retries and round refreshes, all go through `poll`.

/**
 * Call `fn` now (or after `delay` ms), then again `every` ms after each call settles.
 *
 * The loop ends when `until(result)` is true for what `fn` resolved to, when `stop()` is
 * called on the handle, or when `onError(err)` (called for a rejected `fn`) returns null:
 * otherwise `onError` returns the wait in ms before the next try. A call in flight when
 * `stop()` is called is not followed by another.
 *
 * @returns {{stop: () => void, readonly stopped: boolean}}
 */
export function poll(fn, { every, delay = 0, until = () => false, onError = () => null }) {
  let timer = null;
  let stopped = false;

  function next(ms) {
    if (stopped || ms === null || ms === undefined) {
      stopped = true;
      return;
    }
    timer = setTimeout(tick, ms);
  }

  async function tick() {
    timer = null;
    if (stopped) return;
    let wait;
    try {
      const result = await fn();
      wait = until(result) ? null : every;
    } catch (err) {
      wait = stopped ? null : onError(err);
    }
    next(wait);
  }

  if (delay > 0) next(delay);
  else tick();

  return {
    stop() {
      stopped = true;
      clearTimeout(timer);
      timer = null;
    },
    get stopped() {
      return stopped;
    },
  };
}
