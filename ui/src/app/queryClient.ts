import { QueryClient } from "@tanstack/react-query";
import { isApiError } from "../platform";

// Errors that another attempt cannot fix: retrying only delays the message.
const FINAL_CODES = new Set(["BAD_REQUEST", "UNKNOWN_COMMAND", "SCHEMA_TOO_NEW"]);

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        retry: (failures, error) =>
          failures < 1 && !(isApiError(error) && FINAL_CODES.has(error.code)),
        // A desktop window gains focus all the time; the backend pushes
        // "changed" events instead of the UI polling on focus.
        refetchOnWindowFocus: false,
        staleTime: 30_000,
      },
    },
  });
}
