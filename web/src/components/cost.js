// The deterministic cost (SPEC 9.5), shown beside time wherever a result is.
export const COST_EXPLAINED =
  "Cost: work units the engine spent on the query — the same query on the same data always costs the same. " +
  "Equal scores rank by cost, then time.";

/** A whole number with separators, or "—" when the query did not run to the end. */
export function formatCost(cost) {
  if (cost === null || cost === undefined) return "—";
  return Number(cost).toLocaleString("en-US");
}
