import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CancelledError, UsageError } from '../../src/errors.js';
import { InitContext, type InitFlags } from '../../src/init/context.js';
import { ProfileStore } from '../../src/init/profile-store.js';
import { runSteps } from '../../src/init/run.js';
import { whereStep } from '../../src/init/steps/where.js';
import type { InitStep, Prompter } from '../../src/init/types.js';
import { scratchDir } from '../helpers/scratch.js';

// init's logic with scripted answers: where answers come from, what is recorded, and when
// the run stops. The steps' effects on real servers are proven in test/e2e/init.test.ts.

interface Asked {
  kind: 'text' | 'select' | 'confirm';
  message: string;
  flag: string;
  choices?: string[];
  default?: string | boolean | undefined;
}

/** Answers in order; every question is logged so tests can say what was (not) asked. */
function scripted(answers: (string | boolean)[], interactive = true): Prompter & { asked: Asked[] } {
  const asked: Asked[] = [];
  const next = (): string | boolean => {
    if (answers.length === 0) throw new Error(`unexpected question: ${asked[asked.length - 1]?.message}`);
    return answers.shift() as string | boolean;
  };
  return {
    interactive,
    asked,
    async text(message, flag, options) {
      asked.push({ kind: 'text', message, flag, default: options.default });
      const answer = String(next());
      const problem = options.validate(answer);
      if (problem) throw new Error(`scripted answer "${answer}" refused: ${problem}`);
      return answer;
    },
    async select(message, flag, choices, defaultValue) {
      asked.push({ kind: 'select', message, flag, choices: choices.map((c) => c.value), default: defaultValue });
      return String(next());
    },
    async confirm(message, flag, defaultAnswer) {
      asked.push({ kind: 'confirm', message, flag, default: defaultAnswer });
      return Boolean(next());
    },
  };
}

function flags(extra: Partial<InitFlags> = {}): InitFlags {
  return { outDir: scratchDir('irsa-init-out-'), subject: 'user', ...extra };
}

async function contextWith(prompter: Prompter, extra: Partial<InitFlags> = {}, profileText?: string): Promise<{ context: InitContext; path: string }> {
  const dir = scratchDir('irsa-init-');
  const path = join(dir, 'minio-irsa.yaml');
  if (profileText !== undefined) writeFileSync(path, profileText);
  const store = await ProfileStore.open(path, !extra.dryRun);
  return { context: new InitContext(flags(extra), store, prompter), path };
}

describe('init answers', () => {
  it('a flag wins over the profile, and the profile over a question', async () => {
    const prompter = scripted([]);
    const { context } = await contextWith(prompter, { namespace: 'from-flag' }, 'version: 1\nworkload:\n  namespace: from-file\n  serviceAccount: web\n');
    assert.equal(await context.answer('namespace'), 'from-flag');
    assert.equal(await context.answer('serviceAccount'), 'web');
    assert.deepEqual(prompter.asked, []);
  });

  it('asks what is missing, validates the answer, and records it in the profile at once', async () => {
    const prompter = scripted(['https://minio.lan:9000']);
    const { context, path } = await contextWith(prompter);
    assert.equal(await context.answer('endpoint'), 'https://minio.lan:9000');
    assert.equal(prompter.asked[0]?.flag, '--endpoint');
    assert.match(readFileSync(path, 'utf8'), /minio:\n {2}endpoint: https:\/\/minio\.lan:9000\n/);
    assert.equal(statSync(path).mode & 0o777, 0o644);
  });

  it('an answer the validator refuses is not accepted', async () => {
    const { context } = await contextWith(scripted(['not a url']));
    await assert.rejects(context.answer('endpoint'), /refused/);
  });

  it('--yes takes the first suggestion, then the default, and asks nothing', async () => {
    const prompter = scripted([]);
    const { context, path } = await contextWith(prompter, { yes: true });
    assert.equal(await context.answer('bucket', { suggestions: [{ value: 'apps-web', why: 'own' }] }), 'apps-web');
    assert.equal(await context.answer('namespace', { ask: true }), 'default');
    assert.deepEqual(prompter.asked, []);
    const text = readFileSync(path, 'utf8');
    assert.match(text, /bucket: apps-web/, 'a suggestion taken is recorded');
    assert.doesNotMatch(text, /namespace/, 'a default taken silently stays implicit');
  });

  it('without a terminal a missing answer stops at once, naming its flag', async () => {
    const { context } = await contextWith(scripted([], false));
    await assert.rejects(context.answer('serviceAccount'), (error: unknown) => error instanceof UsageError && /--service-account/.test(error.hint ?? ''));
  });

  it('several suggestions become a choice, with "something else" typed when the list is open', async () => {
    const prompter = scripted(['\u0000other', 'https://10.0.0.5:6443/.well-known/openid-configuration']);
    const { context } = await contextWith(prompter);
    const value = await context.answer('configUrl', {
      suggestions: [
        { value: 'https://127.0.0.1:6443/.well-known/openid-configuration', why: 'kubeconfig' },
        { value: 'https://192.168.1.5:6443/.well-known/openid-configuration', why: 'node' },
      ],
    });
    assert.equal(value, 'https://10.0.0.5:6443/.well-known/openid-configuration');
    assert.equal(prompter.asked[0]?.kind, 'select');
    assert.equal(prompter.asked[0]?.choices?.length, 3);
    assert.equal(prompter.asked[1]?.kind, 'text');
  });

  it('a closed choice offers only its values; an optional setting is never asked', async () => {
    const prompter = scripted(['container']);
    const { context } = await contextWith(prompter);
    const location = await context.answer('minioLocation', { suggestions: [{ value: 'host', why: '' }, { value: 'container', why: '' }], closed: true });
    assert.equal(location, 'container');
    assert.deepEqual(prompter.asked[0]?.choices, ['host', 'container']);
    assert.equal(await context.answer('alias'), undefined);
    assert.equal(prompter.asked.length, 1);
  });

  it('on a terminal a setting with a rarely changed default is not asked (unless the step says so)', async () => {
    const prompter = scripted(['apps']);
    const { context, path } = await contextWith(prompter);
    assert.equal(await context.answer('prefix'), '');
    assert.equal(await context.answer('clientId'), 'sts.amazonaws.com');
    assert.equal(await context.answer('namespace', { ask: true }), 'apps');
    assert.deepEqual(prompter.asked.map((q) => q.flag), ['--namespace']);
    assert.doesNotMatch(readFileSync(path, 'utf8'), /clientId|prefix/);
  });

  it('a dry run records nothing on disk', async () => {
    const { context, path } = await contextWith(scripted(['web']), { dryRun: true });
    assert.equal(await context.answer('serviceAccount'), 'web');
    assert.equal(existsSync(path), false);
  });

  it('an existing profile keeps its comments and key order when an answer is added', async () => {
    const original = '# my cluster at home\nversion: 1\nworkload:\n  # the app\n  namespace: apps\nkube:\n  context: home   # k3s\n';
    const { context, path } = await contextWith(scripted(['web']), {}, original);
    await context.answer('serviceAccount');
    const text = readFileSync(path, 'utf8');
    assert.match(text, /^# my cluster at home\nversion: 1\nworkload:\n {2}# the app\n {2}namespace: apps\n {2}serviceAccount: web\nkube:\n {2}context: home # k3s\n$/);
  });

  it('a profile holding only comments keeps them when the first answer is added', async () => {
    const { context, path } = await contextWith(scripted(['web']), {}, '# written by hand: home lab\nversion: 1\n');
    await context.answer('serviceAccount');
    assert.equal(readFileSync(path, 'utf8'), '# written by hand: home lab\nversion: 1\nworkload:\n  serviceAccount: web\n');
  });

  it('a confirmation with --yes is not asked; without a terminal it names the flag', async () => {
    const yes = await contextWith(scripted([]), { yes: true });
    assert.equal(await yes.context.confirm('apply?', '--yes'), true);
    const headless = await contextWith(scripted([], false));
    await assert.rejects(headless.context.confirm('apply?', '--yes'), /no terminal/);
  });
});

describe('init where step (scripted)', () => {
  it('asks the context among the kubeconfig\'s, then where MinIO is and the workload, and suggests its own bucket', async () => {
    const dir = scratchDir('irsa-kc-');
    const kubeconfig = join(dir, 'config');
    writeFileSync(kubeconfig, 'apiVersion: v1\nkind: Config\nclusters: [{name: a, cluster: {server: "https://192.0.2.1:6443"}}, {name: b, cluster: {server: "https://192.0.2.2:6443"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: home, context: {cluster: a, user: u}}, {name: lab, context: {cluster: b, user: u}}]\ncurrent-context: home\n');
    const prompter = scripted(['lab', 'host', 'https://minio.lan:9000', 'bucket', 'apps', 'web', 'apps-web']);
    const saved = { user: process.env['MINIO_ROOT_USER'], password: process.env['MINIO_ROOT_PASSWORD'] };
    delete process.env['MINIO_ROOT_USER'];
    delete process.env['MINIO_ROOT_PASSWORD'];
    try {
      const { context, path } = await contextWith(prompter, { kubeconfig });
      const outcome = await whereStep.run(context);
      assert.equal(outcome.status, 'done');
      assert.match(outcome.message, /no admin credentials/);
      assert.deepEqual(prompter.asked.map((q) => q.flag), ['--context', '--minio-location', '--endpoint', '--isolation', '--namespace', '--service-account', '--bucket']);
      assert.deepEqual(prompter.asked[0]?.choices, ['home', 'lab']);
      assert.equal(prompter.asked[0]?.default, 'home');
      assert.equal(prompter.asked[6]?.default, 'apps-web', "the workload's own bucket is suggested");
      const text = readFileSync(path, 'utf8');
      for (const line of ['context: lab', 'location: host', 'endpoint: https://minio.lan:9000', 'isolation: bucket', 'namespace: apps', 'serviceAccount: web', 'bucket: apps-web']) assert.ok(text.includes(line), `${line} in\n${text}`);
      assert.equal(context.admin, null);
    } finally {
      if (saved.user !== undefined) process.env['MINIO_ROOT_USER'] = saved.user;
      if (saved.password !== undefined) process.env['MINIO_ROOT_PASSWORD'] = saved.password;
    }
  });
});

describe('init runner', () => {
  const step = (id: string, run: InitStep<object>['run']): InitStep<object> => ({ id, title: id, run });

  it('runs in order and stops at a failure, keeping what was done', async () => {
    const ran: string[] = [];
    const records = await runSteps(
      [
        step('a', async () => (ran.push('a'), { status: 'done', message: 'a' })),
        step('b', async () => {
          ran.push('b');
          throw new UsageError('bad', 'fix it');
        }),
        step('c', async () => (ran.push('c'), { status: 'done', message: 'c' })),
      ],
      {},
    );
    assert.deepEqual(ran, ['a', 'b']);
    assert.deepEqual(records.map((r) => r.status), ['done', 'failed']);
    assert.equal((records[1] as { hint?: string }).hint, 'fix it');
    assert.equal((records[1] as { usage?: boolean }).usage, true);
  });

  it('stops at a blocking manual step, goes on after a non-blocking one', async () => {
    const records = await runSteps(
      [step('a', async () => ({ status: 'manual', message: 'do x' })), step('b', async () => ({ status: 'manual', message: 'copy', blocking: true })), step('c', async () => ({ status: 'done', message: 'c' }))],
      {},
    );
    assert.deepEqual(records.map((r) => r.id), ['a', 'b']);
  });

  it('Ctrl-C is not a failed step: it ends the run', async () => {
    await assert.rejects(runSteps([step('a', async () => Promise.reject(new CancelledError()))], {}), CancelledError);
  });
});
