import { LineCounter, isMap, isScalar, parseDocument, type Node } from 'yaml';
import { printable } from './encode.js';
import { UsageError } from './errors.js';
import type { LoadedProfile } from './profile.js';
import { SETTINGS, settingByKey } from './settings.js';

// Parsing minio-irsa.yaml, with file, line and key in every error.

const SECTIONS = ['kube', 'issuer', 'minio', 'workload'] as const;

export function parseProfile(source: string, path: string): LoadedProfile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(source, { lineCounter, uniqueKeys: true });
  const lineOf = (node: Node | null | undefined): number => (node?.range ? lineCounter.linePos(node.range[0]).line : 0);
  const where = (node: Node | null | undefined): string => `${path}:${lineOf(node)}`;

  const firstError = doc.errors[0];
  if (firstError) {
    const line = firstError.linePos?.[0]?.line ?? 0;
    if (firstError.code === 'MULTIPLE_DOCS') throw new UsageError(`${path} holds several YAML documents (separated by ---); a profile is one`, `keep one document in ${path}`);
    throw new UsageError(`${path}:${line} is not valid YAML: ${printable(firstError.message.split('\n')[0] ?? '')}`, `fix the YAML syntax in ${path}`);
  }
  const result: LoadedProfile = { path, values: {}, lines: {} };
  if (doc.contents === null) return result;
  if (!isMap(doc.contents)) throw new UsageError(`${path} must be a YAML mapping with the sections ${SECTIONS.join(', ')}`, 'see the profile example in the README');
  // Values come from the whole document, so aliases resolve (within the library's limits on
  // alias expansion); nodes give the line numbers.
  let data: Record<string, Record<string, unknown> | null | undefined>;
  try {
    data = doc.toJS({ maxAliasCount: 100 }) as typeof data;
  } catch (error) {
    throw new UsageError(`${path}: ${printable((error as Error).message.split('\n')[0] ?? '')}`, `simplify the aliases in ${path}`);
  }

  for (const pair of doc.contents.items) {
    const sectionName = isScalar(pair.key) ? String(pair.key.value) : '';
    if (sectionName === 'version') {
      if (!isScalar(pair.value) || pair.value.value !== 1) throw new UsageError(`${where(pair.value as Node)} version: only version 1 is known`, 'set "version: 1"');
      continue;
    }
    if (!(SECTIONS as readonly string[]).includes(sectionName)) {
      throw new UsageError(`${where(pair.key as Node)} unknown section "${printable(sectionName)}"`, `use one of: version, ${SECTIONS.join(', ')}`);
    }
    const section = data[sectionName];
    if (section === null || section === undefined) continue;
    if (typeof section !== 'object' || Array.isArray(section)) throw new UsageError(`${where(pair.value as Node)} ${sectionName} must be a mapping`, 'see the profile example in the README');
    // A section may be an alias of another mapping: its keys then sit on the alias's line.
    const keyLines = new Map<string, number>();
    if (isMap(pair.value)) for (const item of pair.value.items) keyLines.set(isScalar(item.key) ? String(item.key.value) : '', lineOf((item.value ?? item.key) as Node));
    for (const [keyName, value] of Object.entries(section)) {
      const key = `${sectionName}.${keyName}`;
      const line = keyLines.get(keyName) ?? lineOf(pair.value as Node);
      const name = settingByKey(key);
      if (!name) {
        const known = Object.values(SETTINGS).map((spec) => spec.key).filter((k) => k.startsWith(`${sectionName}.`));
        throw new UsageError(`${path}:${line} unknown key "${printable(key)}"`, `known keys in ${sectionName}: ${known.join(', ')}`);
      }
      if (value === null || value === undefined) continue;
      result.values[name] = value;
      result.lines[name] = line;
    }
  }
  return result;
}
