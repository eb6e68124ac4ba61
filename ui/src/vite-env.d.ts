/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the api crate's HTTP host, used outside the desktop shell. Defaults to "/api". */
  readonly VITE_DEPOT_API?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
