/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Origin of the `depot serve` a browser build talks to (e.g. "http://127.0.0.1:8750"). Defaults to the page's own origin. */
  readonly VITE_DEPOT_API?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
