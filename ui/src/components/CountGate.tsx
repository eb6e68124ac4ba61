import type { UseQueryResult } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { ErrorState } from "./ErrorState";
import { LoadingState } from "./LoadingState";
import { NotListedYet } from "./NotListedYet";

type CountGateProps<T> = {
  query: UseQueryResult<T>;
  /** How many items of this page's kind the workspace holds. */
  count: (data: T) => number;
  noun: readonly [string, string];
  loadingLabel: string;
  errorTitle: string;
  /** Shown when the count is zero. */
  empty: ReactNode;
};

/**
 * For pages whose list is not built yet: an honest empty state when there is
 * nothing, the real count when there is something, and loading/error states.
 */
export function CountGate<T>({
  query,
  count,
  noun,
  loadingLabel,
  errorTitle,
  empty,
}: CountGateProps<T>) {
  if (query.isPending) return <LoadingState label={loadingLabel} />;
  if (query.isError) {
    return (
      <ErrorState
        title={errorTitle}
        error={query.error}
        onRetry={() => void query.refetch()}
        retrying={query.isFetching}
      />
    );
  }
  const n = count(query.data);
  return n > 0 ? <NotListedYet count={n} noun={noun} testId="not-listed-yet" /> : <>{empty}</>;
}
