import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { App } from "../app/App";
import { createQueryClient } from "../app/queryClient";
import { setHost, setTransport, type Host } from "../platform";
import { fakeBackend } from "./fakeBackend";

type Options = {
  handlers?: Parameters<typeof fakeBackend>[0];
  /** Hash to start on, e.g. "#/tokens". */
  at?: string;
  /** Replaces parts of the machine: file dialogs, downloads, external links. */
  host?: Partial<Host> | undefined;
};

/** Renders the whole app against a scripted backend, as a user would see it. */
export function renderApp({ handlers = {}, at = "", host }: Options = {}) {
  const backend = fakeBackend(handlers);
  setTransport(backend.transport);
  setHost(host ?? null);
  window.location.hash = at;

  // The production client (same retry policy), minus the wait between attempts.
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { ...client.getDefaultOptions().queries, retryDelay: 0 } });

  const user = userEvent.setup();
  const view = render(<App queryClient={client} />);
  return { ...view, user, backend, client };
}
