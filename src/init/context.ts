import { UsageError, DeclinedError } from '../errors.js';
import type { Connection } from '../kube/connect.js';
import type { ClusterCa } from '../kube/ca.js';
import type { Detection } from '../kube/detect.js';
import type { AdminClient } from '../minio/admin.js';
import type { AdminFlags } from '../commands/admin-flags.js';
import type { FlagValues } from '../profile.js';
import { SETTINGS, type Profile, type SettingName } from '../settings.js';
import { InvalidValue } from '../validate.js';
import type { MinioEnvFormat } from '../render/minio-env.js';
import type { ProfileStore } from './profile-store.js';
import type { ProviderState } from './provider-state.js';
import type { AskOptions, InitStepContext, Prompter } from './types.js';

export type RestartMethod = 'admin' | 'command' | 'wait' | 'manual';

export interface InitFlags extends FlagValues, AdminFlags {
  config?: string;
  yes?: boolean;
  dryRun?: boolean;
  output?: 'text' | 'json';
  outDir: string;
  force?: boolean;
  rotateSecret?: boolean;
  caDelivered?: boolean;
  caFile?: string;
  subject: 'user' | 'group';
  minioRestart?: RestartMethod;
  minioRestartCmd?: string;
  minioEnvFormat?: MinioEnvFormat;
  createServiceAccount?: boolean;
  skipProof?: boolean;
  skipDoctor?: boolean;
  appImage?: string;
}

/** What the steps share: answers, connections, and what the later steps must do. */
export class InitContext implements InitStepContext {
  readonly dryRun: boolean;
  readonly yes: boolean;
  connection?: Connection;
  detection?: Detection;
  ca?: ClusterCa;
  /** null: no admin credentials, so init writes files and says what to do with them. */
  admin?: AdminClient | null;
  adminSource?: string;
  minioCaPem?: string | undefined;
  /** Why MinIO must restart (CA delivered, provider added or changed); empty: it need not. */
  readonly restartReasons: string[] = [];
  discoveryAccess?: string;
  /** A dry run planned the RBAC: discovery cannot be fetched anonymously yet. */
  rbacPlanned = false;
  /** MinIO's provider as last read (reset after a change). */
  provider?: ProviderState | undefined;
  roleArn?: string;
  /** Warnings a step collected on the way (shown under its line). */
  readonly warnings: string[] = [];

  constructor(
    readonly flags: InitFlags,
    readonly profile: ProfileStore,
    readonly prompter: Prompter,
  ) {
    this.dryRun = Boolean(flags.dryRun);
    this.yes = Boolean(flags.yes);
  }

  private readonly answers = new Map<SettingName, unknown>();

  /** An answer already given (flag, profile, or this run), without asking. */
  known<K extends SettingName>(name: K): Profile[K] | undefined {
    if (this.answers.has(name)) return this.answers.get(name) as Profile[K];
    const raw = this.flags[name] ?? this.profile.loaded.values[name];
    return raw === undefined ? undefined : this.parse(name, raw, this.flags[name] !== undefined ? 'flag' : 'profile');
  }

  async answer<K extends SettingName>(name: K, options: AskOptions = {}): Promise<Profile[K]> {
    if (this.answers.has(name)) return this.answers.get(name) as Profile[K];
    const spec = SETTINGS[name];
    let value = this.known(name);
    let silentDefault = false;
    if (value === undefined) {
      const suggestions = options.suggestions ?? [];
      const fallback = suggestions[0]?.value ?? (spec.default === undefined ? undefined : Array.isArray(spec.default) ? spec.default.join(',') : String(spec.default));
      // An optional setting is never asked: it matters only to those who pass it. Nor is one
      // with a default that rarely changes (prefix, client id ...): flags and the profile set those.
      if (spec.optional && suggestions.length === 0) value = undefined;
      else if (spec.default !== undefined && suggestions.length === 0 && !options.ask) {
        value = spec.default;
        silentDefault = true;
      }
      else if (this.yes && fallback !== undefined) {
        value = this.parse(name, fallback, 'default');
        silentDefault = spec.default !== undefined && suggestions.length === 0;
      }
      else if (!this.prompter.interactive) {
        throw new UsageError(`missing ${spec.description} (${spec.key})`, `pass ${spec.flag} ${spec.valueName}${fallback === undefined ? '' : ', or --yes to accept the suggestion'}`);
      } else {
        value = this.parse(name, await this.ask(name, suggestions, fallback, Boolean(options.closed)), 'answer');
      }
    }
    this.answers.set(name, value);
    // Given answers are kept (flags too: the next run needs none); a default taken silently stays implicit.
    if (value !== undefined && value !== '' && !silentDefault) await this.profile.record(name, value);
    return value as Profile[K];
  }

  private async ask(name: SettingName, suggestions: AskOptions['suggestions'] & object, fallback: string | undefined, closed: boolean): Promise<string> {
    const spec = SETTINGS[name];
    const validate = (raw: string): string | undefined => {
      try {
        spec.parse(raw);
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    };
    if (suggestions.length > 1) {
      const OTHER = '\u0000other';
      const picked = await this.prompter.select(
        `${spec.description.split(':')[0]}:`,
        spec.flag,
        [...suggestions.map((s) => ({ value: s.value, name: s.value, description: s.why })), ...(closed ? [] : [{ value: OTHER, name: 'something else…' }])],
        fallback,
      );
      if (picked !== OTHER) return picked;
      return this.prompter.text(`${spec.description}:`, spec.flag, { validate });
    }
    return this.prompter.text(`${spec.description}:`, spec.flag, { default: fallback, validate });
  }

  private parse<K extends SettingName>(name: K, raw: unknown, from: 'flag' | 'profile' | 'default' | 'answer'): Profile[K] {
    const spec = SETTINGS[name];
    try {
      return spec.parse(raw) as Profile[K];
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      const where = from === 'profile' ? `${this.profile.path} ${spec.key}` : spec.flag;
      throw new UsageError(`${where} ${error.message}`, from === 'profile' ? `fix ${spec.key} in ${this.profile.path} or override it with ${spec.flag}` : `pass a valid value to ${spec.flag}`);
    }
  }

  /** Setting an answer a step derived (the role ARN MinIO reports ...). */
  async remember<K extends SettingName>(name: K, value: Profile[K]): Promise<void> {
    this.answers.set(name, value);
    await this.profile.record(name, value);
  }

  /** The output folder, created when the first file goes there (not before: bad input leaves nothing behind). */
  async ensureOutDir(): Promise<void> {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(this.flags.outDir, { recursive: true, mode: 0o755 });
  }

  async confirm(message: string, flag: string, defaultAnswer = true): Promise<boolean> {
    if (this.yes) return true;
    if (!this.prompter.interactive) throw new UsageError(`${message}: confirmation needed and there is no terminal to ask on`, `pass ${flag}, or --dry-run to only see the plan`);
    return this.prompter.confirm(message, flag, defaultAnswer);
  }

  /** A confirmation whose "no" ends the run with nothing more changed. */
  async mustConfirm(message: string): Promise<void> {
    if (!(await this.confirm(message, '--yes'))) throw new DeclinedError(`declined: ${message.replace(/\?$/, '')} — stopped here; run minio-irsa init again to continue`);
  }
}
