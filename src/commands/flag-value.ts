import { UsageError } from '../errors.js';

/** A flag's value through its validator; bad input becomes a usage error naming the flag. */
export function flagValue<T>(raw: unknown, flag: string, parse: (raw: unknown) => T): T {
  try {
    return parse(raw);
  } catch (error) {
    throw new UsageError(`${flag} ${(error as Error).message}`, `pass a valid value to ${flag}`);
  }
}
