import { FluentProvider, webDarkTheme, webLightTheme } from "@fluentui/react-components";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { useState, type ReactNode } from "react";
import { createQueryClient } from "./queryClient";
import { useColorScheme } from "./theme";

export function Providers({ children, client }: { children: ReactNode; client?: QueryClient }) {
  const [queryClient] = useState(() => client ?? createQueryClient());
  const scheme = useColorScheme();
  return (
    <QueryClientProvider client={queryClient}>
      <FluentProvider theme={scheme === "dark" ? webDarkTheme : webLightTheme} data-theme={scheme}>
        {children}
      </FluentProvider>
    </QueryClientProvider>
  );
}
