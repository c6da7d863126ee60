import { LineCounter, isMap, isScalar, parseDocument, type Node } from 'yaml';
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
    throw new UsageError(`${path}:${line} is not valid YAML: ${firstError.message.split('\n')[0]}`, `fix the YAML syntax in ${path}`);
  }
  const result: LoadedProfile = { path, values: {}, lines: {} };
  if (doc.contents === null) return result;
  if (!isMap(doc.contents)) throw new UsageError(`${path} must be a YAML mapping with the sections ${SECTIONS.join(', ')}`, 'see the profile example in the README');

  for (const pair of doc.contents.items) {
    const sectionName = isScalar(pair.key) ? String(pair.key.value) : '';
    if (sectionName === 'version') {
      if (!isScalar(pair.value) || pair.value.value !== 1) throw new UsageError(`${where(pair.value as Node)} version: only version 1 is known`, 'set "version: 1"');
      continue;
    }
    if (!(SECTIONS as readonly string[]).includes(sectionName)) {
      throw new UsageError(`${where(pair.key as Node)} unknown section "${sectionName}"`, `use one of: version, ${SECTIONS.join(', ')}`);
    }
    if (pair.value === null || (isScalar(pair.value) && pair.value.value === null)) continue;
    if (!isMap(pair.value)) throw new UsageError(`${where(pair.value as Node)} ${sectionName} must be a mapping`, 'see the profile example in the README');
    for (const item of pair.value.items) {
      const key = `${sectionName}.${isScalar(item.key) ? String(item.key.value) : ''}`;
      const name = settingByKey(key);
      if (!name) {
        const known = Object.values(SETTINGS).map((spec) => spec.key).filter((k) => k.startsWith(`${sectionName}.`));
        throw new UsageError(`${where(item.key as Node)} unknown key "${key}"`, `known keys in ${sectionName}: ${known.join(', ')}`);
      }
      const value = (item.value as Node | null)?.toJSON?.() ?? null;
      if (value === null) continue;
      result.values[name] = value;
      result.lines[name] = lineOf(item.value as Node);
    }
  }
  return result;
}
