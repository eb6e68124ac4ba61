// OS notifications: the desktop shell's notification plugin; none in a browser.

/** One notification: a title and a line of text. */
export type DesktopNotification = { title: string; body: string };

/** Shows notifications on the machine the UI runs on. */
export type Notifier = {
  /** False in a browser (served by `depot serve`): notifications are a desktop-app feature. */
  available: boolean;
  /**
   * Whether notifications may be shown, asking the operating system (and so
   * the admin) the first time. Never rejects: false when refused or failing.
   */
  permitted: () => Promise<boolean>;
  /** Shows one notification. Never rejects. */
  send: (notification: DesktopNotification) => Promise<void>;
};

/** A browser's: nothing to show them with. */
export const noNotifier: Notifier = {
  available: false,
  permitted: () => Promise.resolve(false),
  send: () => Promise.resolve(),
};

/** The desktop shell's notification plugin (capability `notification:default`). */
export const tauriNotifier: Notifier = {
  available: true,
  async permitted() {
    try {
      const plugin = await import("@tauri-apps/plugin-notification");
      if (await plugin.isPermissionGranted()) return true;
      return (await plugin.requestPermission()) === "granted";
    } catch {
      return false;
    }
  },
  async send({ title, body }) {
    try {
      const plugin = await import("@tauri-apps/plugin-notification");
      plugin.sendNotification({ title, body });
    } catch {
      // A notification that could not be shown is not worth an error on screen.
    }
  },
};
