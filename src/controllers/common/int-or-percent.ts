/**
 * intstr.GetScaledValueFromIntOrPercent: an integer as is, or a percentage of `total`, rounded
 * up or down (maxSurge rounds up, maxUnavailable down).
 */
export type IntOrPercent = number | string | undefined | null;

export function scaledValue(value: IntOrPercent, total: number, roundUp: boolean): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === "number") return value;
  const m = /^(\d+)%$/.exec(value);
  if (!m) {
    if (/^\d+$/.test(value)) return Number.parseInt(value, 10);
    throw new Error(`invalid value for IntOrString: invalid value "${value}": must be an integer or a percentage`);
  }
  const exact = (Number.parseInt(m[1]!, 10) * total) / 100;
  return roundUp ? Math.ceil(exact) : Math.floor(exact);
}
