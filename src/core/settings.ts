/**
 * Settings as data: a defaults object, a check per key, and one way to apply given values over
 * the defaults. quickstow's Config (config.ts) and `quickstow local`'s Lambda options share it,
 * so both refuse unknown keys and bad values the same way: every problem named at once, in one
 * QuickstowError, and never a silent fall back to a default.
 */
import { QuickstowError } from './errors.js';

/** Says what is wrong with a value, or undefined when it is acceptable. */
export type Check = (key: string, value: unknown) => string | undefined;

export const integerFrom =
  (min: number, max = Number.MAX_SAFE_INTEGER): Check =>
  (key, value) =>
    typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max
      ? undefined
      : `${key} must be an integer from ${min} to ${max}, got ${JSON.stringify(value)}`;

/**
 * The defaults with every given value that passes its check; `problems` lists the others and any
 * unknown key (`unknownLabel` names what kind of setting it is). An undefined value keeps the
 * default.
 */
export function applySettings<T extends object>(
  defaults: T,
  checks: Record<keyof T, Check>,
  input: object,
  unknownLabel: string,
): { values: T; problems: string[] } {
  const problems: string[] = [];
  const values: Record<string, unknown> = { ...(defaults as Record<string, unknown>) };
  for (const [key, value] of Object.entries(input)) {
    if (!(key in checks)) {
      problems.push(`unknown ${unknownLabel} ${JSON.stringify(key)}`);
      continue;
    }
    if (value === undefined) continue;
    const problem = checks[key as keyof T](key, value);
    if (problem === undefined) values[key] = value;
    else problems.push(problem);
  }
  return { values: values as T, problems };
}

/** Throws the one invalid-config error naming every problem, if there are any. */
export function refuseProblems(problems: readonly string[]): void {
  if (problems.length > 0) {
    throw new QuickstowError(
      'invalid-config',
      400,
      `Invalid configuration: ${problems.join('; ')}`,
    );
  }
}
