import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, beforeEach } from "vitest";
import { setFormatLocale } from "../components/format";
import { installTestClock } from "./clock";

// Browsers mark an animation's `finished` promise as handled when the
// animation is cancelled (Web Animations spec); happy-dom does not, so every
// Fluent transition cut short by an unmount would surface as an unhandled
// rejection. Do what the browser does.
// eslint-disable-next-line @typescript-eslint/unbound-method -- called below with the element as `this`
const animate = Element.prototype.animate;
Element.prototype.animate = function (this: Element, ...args: Parameters<Element["animate"]>) {
  const animation = animate.apply(this, args);
  animation.finished.catch(() => undefined);
  return animation;
};

// waitFor/findBy give up after 10 s rather than 1 s: a busy 2-core machine renders slowly.
configure({ asyncUtilTimeout: 10_000 });

// Dates and numbers in US English and UTC, whatever the machine's locale and
// time zone (the app itself uses the machine's).
setFormatLocale({ locale: "en-US", timeZone: "UTC" });

// Before the test file is imported (its top-level fixtures read the clock) and before each test.
installTestClock();
beforeEach(installTestClock);

afterEach(() => {
  cleanup();
  window.localStorage.clear();
  window.location.hash = "";
});
