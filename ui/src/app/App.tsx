import type { QueryClient } from "@tanstack/react-query";
import { ErrorBoundary } from "./ErrorBoundary";
import { Layout } from "./Layout";
import { Providers } from "./Providers";

export function App({ queryClient }: { queryClient?: QueryClient }) {
  return (
    <Providers {...(queryClient ? { client: queryClient } : {})}>
      <ErrorBoundary>
        <Layout />
      </ErrorBoundary>
    </Providers>
  );
}
