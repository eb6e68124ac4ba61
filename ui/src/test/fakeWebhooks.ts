import type { WebhookDto } from "../bindings/WebhookDto";
import type { WebhookTestResult } from "../bindings/WebhookTestResult";
import { now as clockNow } from "../platform/clock";
import { failure, type Handlers } from "./fakeBackend";

/** What the webhooks fake starts with. */
export type FakeWebhookOptions = {
  webhooks?: WebhookDto[];
  /** What "Send test" answers (delivered with HTTP 200 unless given). */
  testResult?: WebhookTestResult;
  /** Every webhook command answers FORBIDDEN (an account limited by scope tags). */
  forbidden?: boolean;
};

/** A webhook as `webhooks.list` shows it. */
export function webhook(hook: Partial<WebhookDto> & { id: string }): WebhookDto {
  return {
    name: "IT service desk",
    format: "teams",
    minSeverity: "warning",
    urlHint: "https://contoso.webhook.office.com/…",
    createdAt: "2026-05-31T22:00:00Z",
    createdBy: "admin@example.org",
    lastDeliveredAt: null,
    failingSince: null,
    lastError: null,
    ...hook,
  };
}

/**
 * The backend's webhook commands: the URL is checked like core does (https,
 * or http to loopback) and kept only as its host, never answered.
 */
export function fakeWebhooks(options: FakeWebhookOptions = {}) {
  const state = {
    webhooks: (options.webhooks ?? []).map((w) => ({ ...w })),
    /** What was sent a test message, in order. */
    tested: [] as string[],
    nextId: 1,
  };
  const refuse = () =>
    failure("FORBIDDEN", "webhooks concern every token, and this account sees only some");
  const find = (id: string) => state.webhooks.find((w) => w.id === id || w.name === id);
  const handlers: Handlers = {
    "webhooks.list": () =>
      options.forbidden ? refuse() : { webhooks: state.webhooks.map((w) => ({ ...w })) },
    "webhooks.add": ({ name, url, format, minSeverity }) => {
      if (options.forbidden) return refuse();
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return failure("INVALID_INPUT", "url: the webhook URL is not a URL");
      }
      const loopback = parsed.hostname === "127.0.0.1" || parsed.hostname === "localhost";
      if (parsed.protocol !== "https:" && !(parsed.protocol === "http:" && loopback)) {
        return failure(
          "INVALID_INPUT",
          `url: the webhook URL must use https, not '${parsed.protocol.replace(":", "")}'`,
        );
      }
      if (state.webhooks.some((w) => w.name.toLowerCase() === name.toLowerCase())) {
        return failure("INVALID_INPUT", `name: a webhook is already called '${name}'`);
      }
      const added = webhook({
        id: String(state.nextId++),
        name,
        format,
        minSeverity,
        urlHint: `${parsed.protocol}//${parsed.host}/…`,
        createdAt: new Date(clockNow()).toISOString(),
      });
      state.webhooks.push(added);
      return { ...added };
    },
    "webhooks.remove": ({ id }) => {
      if (options.forbidden) return refuse();
      if (!find(id)) return failure("NOT_FOUND", `the webhook '${id}'`);
      state.webhooks = state.webhooks.filter((w) => w.id !== id);
      return {};
    },
    "webhooks.test": ({ id }) => {
      if (options.forbidden) return refuse();
      if (!find(id)) return failure("NOT_FOUND", `the webhook '${id}'`);
      state.tested.push(id);
      const result = options.testResult ?? { delivered: true, status: 200, error: null };
      const hook = find(id);
      if (hook) {
        const at = new Date(clockNow()).toISOString();
        if (result.delivered)
          Object.assign(hook, { lastDeliveredAt: at, failingSince: null, lastError: null });
        else
          Object.assign(hook, { failingSince: hook.failingSince ?? at, lastError: result.error });
      }
      return result;
    },
  };
  return { handlers, state };
}
