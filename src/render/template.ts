import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { literalBlockSafe, printable, yamlQuoted } from '../encode.js';

// Templates are YAML, JSON or text files under templates/ with {{name}} placeholders.
// In YAML and JSON a placeholder sits inside a double-quoted string: on its own as a
// mapping value ("key: "{{x}}"") it takes the value with its type (number, multi-line
// text as a literal block, list or map as a block); inside a longer string it is spliced
// in escaped. Every value is written as a safe plain scalar or a double-quoted string whose
// controls and Unicode line breaks are escaped (Go's YAML parser breaks lines at U+0085,
// U+2028 and U+2029), never raw, so no value can inject YAML. In comments a value is made
// printable. No YAML library is loaded: render must start fast; the tests parse every output
// with one, and with Go's.

export type TemplateValue = string | number | boolean | readonly unknown[] | Readonly<Record<string, unknown>>;
export type TemplateVars = Readonly<Record<string, TemplateValue>>;

const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;
const WHOLE_VALUE = /^(\s*)((?:- )?[A-Za-z0-9_./-]+:) "\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}"\s*$/;
const QUOTED = /"(?:[^"\\]|\\.)*"/g;

// dist/*.js and src/render/*.ts both find the package's templates/ relative to themselves.
function templatesDir(): string {
  const here = fileURLToPath(new URL('.', import.meta.url));
  return here.endsWith('/src/render/') ? fileURLToPath(new URL('../../templates/', import.meta.url)) : fileURLToPath(new URL('../templates/', import.meta.url));
}

export async function readTemplate(name: string): Promise<string> {
  return readFile(`${templatesDir()}${name}`, 'utf8');
}

function lookup(vars: TemplateVars, name: string, template: string): TemplateValue {
  const value = vars[name];
  if (value === undefined) throw new Error(`template ${template} uses {{${name}}}, which the renderer did not provide`);
  return value;
}

type Encode = (value: string) => string;

function splice(text: string, vars: TemplateVars, template: string, encode: Encode): string {
  return text.replace(PLACEHOLDER, (_match, name: string) => {
    const value = lookup(vars, name, template);
    if (typeof value === 'object') throw new Error(`template ${template} splices {{${name}}} into text, but it is not a scalar`);
    return encode(String(value));
  });
}

/** A comment line: the value made printable, so no line break can end the comment. */
function spliceComment(line: string, vars: TemplateVars, template: string): string {
  return splice(line, vars, template, printable);
}

/** Inside a double-quoted string: the value escaped for YAML and JSON alike. */
function spliceQuoted(line: string, vars: TemplateVars, template: string): string {
  const inQuotes = line.replace(QUOTED, (quoted) => splice(quoted, vars, template, (value) => yamlQuoted(value).slice(1, -1)));
  if (PLACEHOLDER.test(inQuotes.replace(QUOTED, ''))) throw new Error(`template ${template}: placeholders belong inside double quotes: ${line.trim()}`);
  PLACEHOLDER.lastIndex = 0;
  return inQuotes;
}

const RESERVED = /^(?:true|false|yes|no|on|off|y|n|null)$/i;

/** A string YAML (1.1 and 1.2) reads back as the same string when written plain. */
function isPlainSafe(text: string): boolean {
  return /^[A-Za-z_/][A-Za-z0-9_./:@+=-]*$/.test(text) && !RESERVED.test(text) && !text.endsWith(':');
}

export function yamlScalar(value: unknown): string {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value === null || value === undefined) return 'null';
  const text = String(value);
  return isPlainSafe(text) ? text : yamlQuoted(text);
}

/** Multi-line text as a literal block where it can be held verbatim, else double-quoted. */
function multiline(text: string, indent: number): string {
  return literalBlockSafe(text) ? literalBlock(text, indent) : yamlQuoted(text);
}

function literalBlock(text: string, indent: number): string {
  const pad = ' '.repeat(indent);
  const keep = text.endsWith('\n') ? '' : '-';
  return `|${keep}\n${text.replace(/\n$/, '').split('\n').map((line) => (line === '' ? '' : `${pad}${line}`)).join('\n')}`;
}

/** Block YAML for plain data (maps, lists, scalars), indented by `indent`. */
export function yamlBlock(value: unknown, indent: number): string {
  const pad = ' '.repeat(indent);
  const entry = (prefix: string, item: unknown): string => {
    if (item !== null && typeof item === 'object') {
      const empty = Array.isArray(item) ? item.length === 0 : Object.keys(item).length === 0;
      if (empty) return `${prefix} ${Array.isArray(item) ? '[]' : '{}'}`;
      return `${prefix}\n${yamlBlock(item, indent + 2)}`;
    }
    if (typeof item === 'string' && item.includes('\n')) return `${prefix} ${multiline(item, indent + 2)}`;
    return `${prefix} ${yamlScalar(item)}`;
  };
  if (Array.isArray(value)) {
    return value
      .map((item: unknown) => {
        if (item !== null && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0) {
          return `${pad}- ${yamlBlock(item, indent + 2).slice(indent + 2)}`;
        }
        return entry(`${pad}-`, item);
      })
      .join('\n');
  }
  return Object.entries(value as Record<string, unknown>)
    .map(([key, item]) => entry(`${pad}${yamlScalar(key)}:`, item))
    .join('\n');
}

function wholeValue(indent: string, key: string, value: TemplateValue): string {
  const inner = indent.length + (key.startsWith('- ') ? 4 : 2);
  if (typeof value === 'object') {
    const empty = Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
    if (empty) return `${indent}${key} ${Array.isArray(value) ? '[]' : '{}'}`;
    return `${indent}${key}\n${yamlBlock(value, inner)}`;
  }
  if (typeof value === 'string' && value.includes('\n')) return `${indent}${key} ${multiline(value, inner)}`;
  return `${indent}${key} ${yamlScalar(value)}`;
}

/** Render a YAML template, keeping its comments and layout. */
export async function renderYaml(template: string, vars: TemplateVars): Promise<string> {
  const lines = (await readTemplate(template)).split('\n').map((line) => {
    if (line.trimStart().startsWith('#')) return spliceComment(line, vars, template);
    const whole = WHOLE_VALUE.exec(line);
    if (whole) return wholeValue(whole[1] ?? '', whole[2] ?? '', lookup(vars, whole[3] ?? '', template));
    return spliceQuoted(line, vars, template);
  });
  return lines.join('\n');
}

/**
 * Render a text template: in comment lines values are made printable; elsewhere they are
 * spliced as given, so callers pass only text already encoded for the file's format.
 */
export async function renderText(template: string, vars: TemplateVars, encoded: Encode = (value) => value): Promise<string> {
  return (await readTemplate(template))
    .split('\n')
    .map((line) => (line.trimStart().startsWith('#') ? spliceComment(line, vars, template) : splice(line, vars, template, encoded)))
    .join('\n');
}

/** Render a JSON template to pretty JSON. */
export async function renderJson(template: string, vars: TemplateVars): Promise<string> {
  const text = (await readTemplate(template)).split('\n').map((line) => spliceQuoted(line, vars, template)).join('\n');
  return `${JSON.stringify(JSON.parse(text) as unknown, null, 2)}\n`;
}
