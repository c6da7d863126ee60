import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, visit, type Document } from 'yaml';

// Templates are YAML (or JSON) files under templates/ with {{name}} placeholders in scalar
// values. A scalar that is only a placeholder takes the value with its type (number, list,
// map); inside a longer string the value is spliced in as text. Substitution works on the
// parsed tree, never on raw text, so a value cannot inject YAML.

export type TemplateValue = string | number | boolean | readonly unknown[] | Readonly<Record<string, unknown>>;
export type TemplateVars = Readonly<Record<string, TemplateValue>>;

const WHOLE = /^\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}$/;
const INLINE = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

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

function inline(text: string, vars: TemplateVars, template: string): string {
  return text.replace(INLINE, (_match, name: string) => {
    const value = lookup(vars, name, template);
    if (typeof value === 'object') throw new Error(`template ${template} splices {{${name}}} into text, but it is not a scalar`);
    return String(value);
  });
}

function substitute(doc: Document, vars: TemplateVars, template: string): void {
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value !== 'string') return undefined;
      const whole = WHOLE.exec(node.value);
      if (whole?.[1]) {
        const value = lookup(vars, whole[1], template);
        if (typeof value !== 'object') {
          node.value = value;
          // Let the printer choose quoting for the value itself (it quotes "true", "08", ...);
          // multi-line text (an embedded config file) reads best as a literal block.
          node.type = typeof value === 'string' && value.includes('\n') ? 'BLOCK_LITERAL' : undefined;
          return undefined;
        }
        return doc.createNode(value);
      }
      node.value = inline(node.value, vars, template);
      return undefined;
    },
  });
}

/** Render a (multi-document) YAML template, keeping its comments. */
export async function renderYaml(template: string, vars: TemplateVars): Promise<string> {
  const docs = parseAllDocuments(await readTemplate(template));
  if (!Array.isArray(docs)) throw new Error(`template ${template} is empty`);
  const rendered = docs.map((doc, index) => {
    if (doc.errors[0]) throw new Error(`template ${template}: ${doc.errors[0].message}`);
    substitute(doc, vars, template);
    // lineWidth 0: never fold long values (URLs, ARNs, commands) across lines.
    const text = doc.toString({ lineWidth: 0, minContentWidth: 0 });
    return index === 0 || text.startsWith('---') ? text : `---\n${text}`;
  });
  // Comments are not part of the tree; placeholders in them are filled in as text.
  return rendered
    .join('')
    .split('\n')
    .map((line) => (line.trimStart().startsWith('#') ? inline(line, vars, template) : line))
    .join('\n');
}

/** Render a YAML template to a plain value, to be placed inside another template. */
export async function renderValue(template: string, vars: TemplateVars): Promise<unknown> {
  const docs = parseAllDocuments(await readTemplate(template));
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  if (!doc) throw new Error(`template ${template} is empty`);
  substitute(doc, vars, template);
  return doc.toJS();
}

/** Render a text template; values are spliced in as they are (callers pass validated values). */
export async function renderText(template: string, vars: TemplateVars): Promise<string> {
  return inline(await readTemplate(template), vars, template);
}

/** Render a JSON template to pretty JSON. */
export async function renderJson(template: string, vars: TemplateVars): Promise<string> {
  return `${JSON.stringify(await renderValue(template, vars), null, 2)}\n`;
}
