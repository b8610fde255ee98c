/**
 * The bench's targets come in two families, each with its own floor and naive baseline, and a
 * target's ratios are always to the baselines of its own family at the same concurrency:
 * - `serve`: node:http servers (floor, naive) and `quickstow serve` (serve-*), and every server
 *   given with --url;
 * - `local`: API Gateway + Lambda emulated by `quickstow local` (local-*), whose baselines are
 *   handlers run the same way (local-floor, local-naive), so that the emulation's own cost (the
 *   body base64-encoded into a JSON event, the Runtime API hops) is in the denominator too.
 * Names only, no I/O: the table, the results and the chart share it.
 */
export type Family = 'serve' | 'local';

export interface Baselines {
  floor: string;
  naive: string;
}

export const families: readonly Family[] = ['serve', 'local'];

export const familyBaselines: Record<Family, Baselines> = {
  serve: { floor: 'floor', naive: 'naive' },
  local: { floor: 'local-floor', naive: 'local-naive' },
};

/** Short names for chart titles. */
export const familyLabels: Record<Family, string> = {
  serve: 'node:http / serve',
  local: 'API Gateway + Lambda',
};

export function familyOf(target: string): Family {
  return target.startsWith('local-') ? 'local' : 'serve';
}

export function baselinesOf(target: string): Baselines {
  return familyBaselines[familyOf(target)];
}

/** One line saying which baselines the ratio columns use, for under the table. */
export function ratioFootnote(targets: readonly string[]): string {
  const present = families.filter((family) => targets.some((t) => familyOf(t) === family));
  const parts = present.map((family) => {
    const { floor, naive } = familyBaselines[family];
    const who = family === 'local' ? 'local-* targets' : 'floor, naive, serve-* and --url targets';
    return `${who} against ${floor} and ${naive}`;
  });
  return `ratios: each target against the floor and naive of its own family at the same concurrency: ${parts.join('; ')}.`;
}
