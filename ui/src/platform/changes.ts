import type { ChangeEvent } from "../bindings/ChangeEvent";

/** Called with each background change the backend reports. */
export type ChangeListener = (change: ChangeEvent) => void;

/** Starts listening; the returned function stops. */
export type ChangeSource = (listener: ChangeListener) => () => void;

/** No pushed changes (tests and previews with an injected transport): the UI's polls cover it. */
export const noChanges: ChangeSource = () => () => undefined;
