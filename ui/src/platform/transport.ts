/** Sends one command to the backend and resolves with its JSON response. */
export type Transport = (name: string, payload: unknown) => Promise<unknown>;
