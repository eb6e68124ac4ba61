import { useEffect, useState } from "react";
import { wait } from "../platform";

/**
 * `value`, once it has stopped changing for `ms`. `flush` makes the current
 * value the settled one right away (before an explicit check).
 */
export function useDebounced<T>(value: T, ms: number): [T, () => void] {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), wait(ms));
    return () => clearTimeout(timer);
  }, [value, ms]);
  return [settled, () => setSettled(value)];
}
