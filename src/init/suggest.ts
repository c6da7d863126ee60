import * as v from '../validate.js';

// Suggestions init offers as defaults: derived from what it knows, valid or not offered.

export function validBucketOrUndefined(candidate: string): string | undefined {
  const cleaned = candidate.toLowerCase().replace(/[^a-z0-9.-]/g, '-').slice(0, 63).replace(/^[.-]+|[.-]+$/g, '');
  try {
    return v.bucket(cleaned);
  } catch {
    return undefined;
  }
}
