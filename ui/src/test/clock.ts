import { setClock, setWaitScale, type Clock } from "../platform/clock";

/**
 * The tests' "now": a fixed instant, far from any real date, that every test,
 * fake and screen reads through the injected clock (platform/clock.ts).
 */
export const FAKE_NOW = Date.parse("2026-06-01T00:00:00Z");

/** Deliberate waits (debounce, polling) run at 1/20 of real time in tests. */
export const TEST_WAIT_SCALE = 0.05;

let current = FAKE_NOW;

/** The clock tests run on: it stands still unless a test moves it. */
export const testClock: Clock & { set(ms: number): void; advance(ms: number): void } = {
  now: () => current,
  set: (ms) => {
    current = ms;
  },
  advance: (ms) => {
    current += ms;
  },
};

/** Called before every test (setup.ts): the clock back at FAKE_NOW, short waits. */
export function installTestClock(): void {
  current = FAKE_NOW;
  setClock(testClock);
  setWaitScale(TEST_WAIT_SCALE);
}
