import type { QueryClient } from "@tanstack/react-query";
import { ErrorBoundary } from "./ErrorBoundary";
import { Layout } from "./Layout";
import { Providers } from "./Providers";
import { SessionGate } from "./session";

export function App({ queryClient }: { queryClient?: QueryClient }) {
  return (
    <Providers {...(queryClient ? { client: queryClient } : {})}>
      <ErrorBoundary>
        {/* Background changes are listened to inside: only while someone may see them. */}
        <SessionGate>
          <Layout />
        </SessionGate>
      </ErrorBoundary>
    </Providers>
  );
}
