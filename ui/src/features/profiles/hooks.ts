import { useEffect, useState } from "react";

/**
 * `value`, once it has stopped changing for `ms`. `flush` makes the current
 * value the debounced one right away (before an explicit check).
 */
export function useDebounced<T>(value: T, ms: number): [T, () => void] {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return [settled, () => setSettled(value)];
}
