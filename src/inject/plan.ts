import { printable } from '../encode.js';
import { UsageError } from '../errors.js';
import { at } from './fast-path.js';
import { INJECT_ANNOTATION, isMapping, STATIC_KEY_VARIABLES, planInjection, podSpecPath, scalarText, type InjectionSettings, type PatchOperation } from './core.js';

// What inject does to one object, whatever the text it came in: find its pod template (in a
// List's items too), plan the patch with the core, and apply it through the caller's `apply`
// (to JSON data, to a YAML document's nodes, or as lines to insert); and the report of it.

export interface InjectOptions {
  allowStaticKeys: boolean;
}

export interface InjectReport {
  injected: string[];
  unchanged: string[];
  optedOut: string[];
  passedThrough: number;
  notes: string[];
}

type Json = Record<string, unknown>;

export const emptyReport = (): InjectReport => ({ injected: [], unchanged: [], optedOut: [], passedThrough: 0, notes: [] });
export type Apply = (path: (string | number)[], op: PatchOperation) => void;
/** Called with each object's name before its pod spec is planned. */
type BeforePlan = (name: string) => void;

function describe(object: Json): string {
  const metadata = isMapping(object['metadata']) ? object['metadata'] : {};
  const namespace = typeof metadata['namespace'] === 'string' ? `${metadata['namespace']}/` : '';
  return printable(`${scalarText(object['kind'], '(no kind)')} ${namespace}${scalarText(metadata['name'], '(unnamed)')}`);
}

function annotationsOf(value: unknown): Json {
  const annotations = at(value, ['metadata', 'annotations']);
  return isMapping(annotations) ? annotations : {};
}

/** Walks one object (a List's items too), planning and applying the patch through `apply`. */
export function visit(object: unknown, base: (string | number)[], settings: InjectionSettings, options: InjectOptions, report: InjectReport, apply: Apply, beforePlan?: BeforePlan): void {
  if (!isMapping(object)) return;
  const kind = typeof object['kind'] === 'string' ? object['kind'] : '';
  if (kind === 'List' || kind.endsWith('List')) {
    const items = object['items'];
    if (Array.isArray(items)) items.forEach((item, index) => visit(item, [...base, 'items', index], settings, options, report, apply, beforePlan));
    return;
  }
  const specPath = podSpecPath(kind);
  const spec = specPath ? at(object, specPath) : undefined;
  // A pod spec with no containers (kubectl refuses it) is passed through, as a YAML document without the word is.
  const containers = isMapping(spec) ? spec['containers'] : undefined;
  if (!specPath || !isMapping(spec) || containers === undefined || containers === null || (Array.isArray(containers) && containers.length === 0)) {
    report.passedThrough += 1;
    return;
  }
  const name = describe(object);
  beforePlan?.(name);
  const template = specPath.slice(0, -1);
  const annotations = { ...annotationsOf(object), ...annotationsOf(at(object, template)) };
  if (scalarText(annotations[INJECT_ANNOTATION], '') === 'false') {
    report.optedOut.push(name);
    return;
  }
  const injection = planInjection(spec, annotations, settings);
  if (injection.malformed.length > 0) {
    throw new UsageError(`${name}: its pod spec's ${printable(injection.malformed.join(', '))} (kubectl refuses it too)`, 'fix the manifest, or annotate the object minio-irsa.io/inject: "false" to pass it through as it is');
  }
  if (injection.staticKeys.length > 0 && !options.allowStaticKeys) {
    throw new UsageError(`${name}: container ${injection.staticKeys.join(', ')} carries static keys (${STATIC_KEY_VARIABLES.join(', ')}), which would win over the token`, 'remove them (the token replaces them), annotate the object minio-irsa.io/inject: "false", or pass --allow-static-keys');
  }
  report.notes.push(...injection.notes.map((note) => `${name}: ${note}`));
  if (injection.patch.length === 0) {
    report.unchanged.push(name);
    return;
  }
  for (const op of injection.patch) apply([...base, ...specPath], op);
  report.injected.push(name);
}

export function applyToJson(root: unknown): Apply {
  return (prefix, op) => {
    const path = [...prefix, ...op.path];
    const last = path[path.length - 1];
    const parent = at(root, path.slice(0, -1)) as Record<string | number, unknown> | unknown[];
    if (last === '-') (parent as unknown[]).push(op.value);
    else (parent as Record<string | number, unknown>)[last as string | number] = op.value;
  };
}

/** Adds one report to another (item by item: a report can be longer than a call's arguments may be). */
export function mergeReport(into: InjectReport, from: InjectReport): void {
  for (const key of ['injected', 'unchanged', 'optedOut', 'notes'] as const) for (const item of from[key]) into[key].push(item);
  into.passedThrough += from.passedThrough;
}

export function lineBreaks(text: string): number {
  let count = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) count++;
  return count;
}

