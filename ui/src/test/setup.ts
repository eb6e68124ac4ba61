import "@testing-library/jest-dom/vitest";
import { cleanup } from "@testing-library/react";
import { afterEach } from "vitest";

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

afterEach(() => {
  cleanup();
  window.localStorage.clear();
  window.location.hash = "";
});
