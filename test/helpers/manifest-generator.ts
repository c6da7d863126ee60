// Manifests as people and charts write them, varied at random from a seed (repeatable): block
// and flow styles, quoted keys, comments and blank lines anywhere, sequences at their key's
// column or deeper, block, folded, kept and multi-line scalars, CRLF, document markers, opt-out
// and skip annotations, variables and mounts already set, static keys, repeated keys and merge
// keys; Lists and two-document streams; no final line break; and mutated byte by byte. For
// differential tests against Go's YAML reader (kubectl's).

import { Seeded } from './seeded.js';

const MUTATIONS = [' ', '  ', '\t', ':', ': ', '- ', '-', '#', ' #', '&a ', '*a', '!', '!!str ', '|', '>', '"', "'", '{', '}', '[', ']', ',', '?', '%', '---', '...', '@', '`', '\\', '\r', '\r\n', '\n', '\n  ', '<<: ', 'é', '\u00a0', '\u0000', '\u001b', '\u0085', '\u2028', '\ufeff', '\uffff', 'env', 'containers', 'null', '~', 'y', 'on', '0644', '1e3', '0x1F', '9007199254740993'];

export class ManifestGenerator extends Seeded {
  /** A scalar as written after "key: " whose continuation lines are indented by `indent`. */
  private scalar(indent: string): string {
    return this.pick(['info', '"quoted"', "'single'", 'a b c', '"1"', 'x # comment', '"a\\tb"', 'with: colon"', '"-dash"', '|\n{I}line1\n{I}line2', '|+\n{I}kept\n\n', '>-\n{I}folded\n{I}more', '"multi\n{I}line"', 'plain\n{I}continued', '!!str tagged', '"é ü"', '""', "''", '"<<"']).replaceAll('{I}', indent);
  }

  private comment(indent: string): string {
    return this.pick(['', `${indent}# a comment\n`, '# at column 0\n', '\n', `${indent}  # deeper\n`]);
  }

  private env(indent: string, names: readonly string[]): string {
    if (names.length === 0) return this.pick([`${indent}env: []\n`, `${indent}env:\n`, `${indent}env: ~\n`, '']);
    if (this.maybe(0.2)) return `${indent}env: [${names.map((name) => `{name: ${name}, value: v}`).join(', ')}]\n`;
    const dash = this.maybe(0.3) ? indent : `${indent}  `;
    let out = `${indent}${this.pick(['env', '"env"', "'env'"])}:${this.pick(['', ' # here'])}\n`;
    for (const name of names) {
      out += this.comment(dash);
      out += this.maybe(0.15) ? `${dash}- {name: ${name}, value: v}\n` : `${dash}- name: ${name}\n${dash}  value: ${this.scalar(`${dash}    `)}\n`;
    }
    return out;
  }

  private container(dash: string, name: string): string {
    const inner = `${dash}  `;
    let out = `${dash}- name: ${name}\n${inner}image: ${this.pick(['nginx', 'litestream/litestream:0.3', '"busybox:1"'])}\n${this.comment(inner)}`;
    // An args list last sometimes, and ending in an empty item ("- # c"): js-yaml took the next container into it.
    const args = this.maybe(0.3) ? `${inner}args: ${this.pick(['["a", "b"]', '[x]', `\n${inner}- ${this.scalar(`${inner}    `)}\n${inner}- ${this.pick(['y', '# an empty item', '', '~'])}`])}\n` : '';
    const argsLast = this.maybe(0.5);
    if (!argsLast) out += args;
    const names = [...(this.maybe(0.6) ? ['A'] : []), ...(this.maybe(0.2) ? [this.pick(['AWS_REGION', 'AWS_ROLE_ARN', 'AWS_ACCESS_KEY_ID', 'B'])] : [])];
    if (this.maybe(0.7)) out += this.env(inner, names);
    if (this.maybe(0.3)) out += `${inner}volumeMounts:\n${inner}  - {name: ${this.pick(['data', 'other'])}, mountPath: ${this.pick(['/data', '/var/run/secrets/eks.amazonaws.com/serviceaccount'])}}\n`;
    if (this.maybe(0.2)) out += `${inner}resources: {limits: {cpu: 100m}}\n`;
    if (this.maybe(0.05)) out += `${inner}env: [{name: REPEATED, value: x}]\n`;
    if (this.maybe(0.05)) out += `${inner}<<: {env: [{name: MERGED, value: x}]}\n`;
    return argsLast ? out + args : out;
  }

  private podSpec(indent: string): string {
    let out = this.maybe(0.3) ? `${indent}serviceAccountName: web\n` : '';
    out += this.comment(indent);
    if (this.maybe(0.2)) out += `${indent}initContainers:\n${this.container(this.maybe() ? indent : `${indent}  `, 'init')}`;
    if (this.maybe(0.1)) out += `${indent}containers: [{name: app, image: nginx}${this.maybe() ? ', {name: side, image: x, env: [{name: A, value: b}]}' : ''}]\n`;
    else {
      out += `${indent}containers:${this.pick(['', ' # c'])}\n`;
      const dash = this.maybe(0.4) ? indent : `${indent}  `;
      const count = 1 + Math.floor(this.random() * 3);
      for (const name of ['app', 'side', 'ls'].slice(0, count)) out += this.comment(dash) + this.container(dash, name);
    }
    if (this.maybe(0.3)) out += `${indent}volumes:\n${indent}  - name: data\n${indent}    emptyDir: {}\n`;
    if (this.maybe(0.1)) out += `${indent}volumes: []\n`;
    if (this.maybe(0.2)) out += `${indent}nodeSelector: {a: "b"}\n`;
    return out + this.pick(['', `${indent}# trailing comment\n`, '\n\n', '# end\n', `${indent}subdomain: |\n${indent}  block at the end\n`]);
  }

  private annotations(indent: string): string {
    const items = [
      ...(this.maybe(0.15) ? [`minio-irsa.io/inject: ${this.pick(['"false"', 'false', '"true"'])}`] : []),
      ...(this.maybe(0.2) ? [`minio-irsa.io/skip-containers: ${this.pick(['side', '"side,init"', 'app'])}`] : []),
      ...(this.maybe(0.1) ? [`note: ${this.scalar(`${indent}    `)}`] : []),
    ];
    if (items.length === 0) return '';
    if (this.maybe(0.3) && !items.some((item) => item.includes('\n'))) return `${indent}annotations: {${items.join(', ')}}\n`;
    return `${indent}annotations:\n${items.map((item) => `${indent}  ${item}\n`).join('')}`;
  }

  /** One document (sometimes a List of one, or two documents in one stream). */
  manifest(): string {
    const draw = this.random();
    let text: string;
    if (draw < 0.1) {
      const lines = this.object().replace(/^(---.*|# Source.*)\r?\n/, '').split(/\r?\n/).filter(Boolean);
      text = `apiVersion: v1\nkind: List\nitems:\n${lines.map((line, index) => `${index === 0 ? '  - ' : '    '}${line}\n`).join('')}`;
    } else text = draw < 0.2 ? `${this.object()}\n---\n${this.object()}` : this.object();
    // A file need not end with a line break (Go then reads a closing block scalar without one).
    return this.maybe(0.15) ? text.replace(/\r?\n$/, '') : text;
  }

  /**
   * A Pod whose pod spec, containers and lists end in odd ways, right where inject puts its
   * lines: empty items ("- # c", "-"), block scalars kept or clipped with blank lines after
   * them, multi-line plain, quoted and flow scalars, explicit keys, empty tagged nodes, tabs,
   * comments at any column, the end of the document. (js-yaml took the container after an
   * empty item into that item's list: this is how it was found.)
   */
  oddEndings(): string {
    const value = (): string => this.pick(['a', '', '~', '!!null', '!!str', '!!map', '!!seq', '""', "''", '[]', '{}', '# c', '!foo', '|', '|-', '>', '|+', '? x', '- a', '-', '- # c']);
    const mappingTail = (i: string): string =>
      this.pick([
        `${i}x: ${value()}`, `${i}x: |\n${i}  l1\n`, `${i}x: |\n${i}  l1\n\n`, `${i}x: >\n${i}  l1\n\n${i}    deeper\n\n`, `${i}x: |-\n${i}  l1\n\n`, `${i}x: |2\n${i}    l1\n`,
        `${i}x: a\n${i}  b\n\n`, `${i}x: a\n${i} b`, `${i}x: "a\n${i}  b"\n`, `${i}x: 'a\n\n${i}  b'\n`, `${i}x: "a\n${i}b"`, `${i}x: [a,\n${i}  b]\n`, `${i}x: {a: 1,\n${i}  b: 2}`, `${i}x: [a,\n${i}b]`,
        `${i}? x\n`, `${i}? x\n${i}: y\n`, `${i}x:\n${i}- a\n${i}- ${value()}\n`, `${i}x:\n${i}  - a\n${i}  -\n`, `${i}x:\n${i}  - # c\n`, `${i}x:\n${i}  - - ${value()}\n`, `${i}x: !!map\n${i}  a: 1\n`, `${i}x:\n${i}  - ${value()}\n`,
        `${i}x: a # c\n${i}# c2\n`, `${i}x: a\n  # c at 2\n\n`, `${i}x: a\n\t# tab c\n`, `${i}x: a\n${i}\t`, `${i}x: a\n\n\n`, `${i}x: |+\n${i}  a\n\n`, `${i}x: a\n${i}   # deeper comment\n`, `${i}${value()}: 1`,
      ]);
    const sequenceTail = (i: string): string =>
      this.pick([`${i}- ${value()}`, `${i}- |\n${i}  a\n\n`, `${i}- a\n${i}  b`, `${i}- - ${value()}`, `${i}- {a: 1,\n${i}  b: 2}`, `${i}- [a,\n${i} b]`, `${i}- "a\n${i} b"`, `${i}- ? a\n`, `${i}- a: 1\n${i}  b: |\n${i}    l\n\n`, `${i}- name: X\n${i}  value: ${value()}\n${i}  # c`, `${i}-\n${i}  name: Y\n${i}  value: z`]);
    const mapping = (i: string, head: string[]): string => [...head, this.maybe(0.7) ? mappingTail(i) : ''].filter(Boolean).join('\n');
    const inner = this.maybe() ? '      ' : '    ';
    const dash = inner.slice(0, -2);
    const envIndent = this.maybe() ? `${inner}  ` : inner;
    const env = this.maybe(0.6) ? `${inner}env:\n${envIndent}- name: A\n${envIndent}  value: b${this.maybe(0.6) ? `\n${sequenceTail(envIndent)}` : ''}` : this.maybe(0.2) ? `${inner}env: ${value()}` : '';
    const container = mapping(inner, [`${dash}- name: c`, ...(env ? [env] : [])]);
    const containers = this.maybe(0.4) ? `${container}\n${mapping(inner, [`${dash}- name: d`])}` : container;
    const volumes = this.maybe() ? `  volumes:\n  - name: v\n    emptyDir: {}${this.maybe() ? `\n${sequenceTail('  ')}` : ''}` : this.maybe(0.2) ? `  volumes: ${value()}` : '';
    const skip = this.maybe(0.3) ? '  annotations:\n    minio-irsa.io/skip-containers: c\n' : '';
    const spec = mapping('  ', ['  containers:', containers, ...(volumes ? [volumes] : [])]);
    return `apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n${skip}spec:\n${spec}\n${this.maybe(0.3) ? `${this.pick(['# end', '\n', '...', 'status: {}'])}\n` : ''}`;
  }

  /**
   * The text changed in one to three places, as a hostile or careless hand would: a character
   * YAML treats specially, one Go and YAML 1.2 read differently, or none, put in; a few
   * characters taken out; a line shifted or turned into a sequence entry or a comment.
   */
  mutate(text: string): string {
    let out = text;
    for (let change = 0; change < 1 + Math.floor(this.random() * 3); change++) {
      const at = Math.floor(this.random() * (out.length + 1));
      const draw = this.random();
      if (draw < 0.5) out = out.slice(0, at) + this.pick(MUTATIONS) + out.slice(at);
      else if (draw < 0.8) out = out.slice(0, at) + out.slice(at + 1 + Math.floor(this.random() * 3));
      else {
        const line = out.lastIndexOf('\n', at - 1) + 1;
        out = out.slice(0, line) + this.pick([' ', '  ', '\t', '- ', '# ']) + out.slice(line);
      }
    }
    return out;
  }

  private object(): string {
    const kind = this.pick(['Pod', 'Deployment', 'CronJob', 'Job']);
    let out = `${this.pick(['', '---\n', '# Source: x\n', '--- # doc\n'])}apiVersion: v1\nkind: ${kind}\nmetadata:\n  name: w\n${this.annotations('  ')}`;
    if (this.maybe(0.05)) out += '  <<: {labels: {a: b}}\n';
    if (kind === 'Pod') out += `spec:\n${this.podSpec('  ')}`;
    else if (kind === 'CronJob') out += `spec:\n  schedule: "*/5 * * * *"\n  jobTemplate:\n    spec:\n      template:\n        metadata:\n${this.annotations('          ')}          labels: {a: b}\n        spec:\n${this.podSpec('          ')}`;
    else out += `spec:\n  template:\n    metadata:\n      labels: {app: w}\n${this.annotations('      ')}    spec:\n${this.podSpec('      ')}`;
    if (this.maybe(0.1)) out = out.replaceAll('\n', '\r\n');
    return this.maybe(0.05) ? `${out}...\n` : out;
  }
}
