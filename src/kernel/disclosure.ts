/**
 * Statistical disclosure control for what Vigil publishes: no figure may rest on fewer
 * than k people (reports, incidents, residents).
 *
 * Primary suppression: a cell counting 1 … k−1 people is withheld (0 is published:
 * nobody is described by it). Secondary suppression: when a margin (a city total, the
 * sum over the areas) is published, the withheld cells can be recovered by subtraction
 * if their own total is below k — so the smallest published cells are withheld too
 * until the withheld total reaches k.
 */
export function suppressSmall(counts: readonly number[], k: number): boolean[] {
  const hidden = counts.map((n) => n > 0 && n < k);
  let total = 0;
  for (let i = 0; i < counts.length; i++) if (hidden[i]) total += counts[i]!;
  while (total > 0 && total < k) {
    let smallest = -1;
    for (let i = 0; i < counts.length; i++) if (!hidden[i] && counts[i]! > 0 && (smallest < 0 || counts[i]! < counts[smallest]!)) smallest = i;
    if (smallest < 0) break;
    hidden[smallest] = true;
    total += counts[smallest]!;
  }
  return hidden;
}

/** A figure from n people may be published on its own (primary rule only). */
export const publishable = (n: number | null | undefined, k: number): boolean => n === null || n === undefined || n === 0 || n >= k;
