import type { Profile, SettingName } from '../settings.js';
import type { Choice } from '../ui/prompts.js';

// init is a list of small steps over one context (create-astro's actions/). Each step first
// observes, then acts only when something differs; it says what it did in one outcome.

export type StepStatus = 'done' | 'unchanged' | 'planned' | 'manual' | 'skipped';

export interface StepOutcome {
  status: StepStatus;
  message: string;
  /** What a person must run or do (manual steps), or what to run next. */
  commands?: string[] | undefined;
  warnings?: string[] | undefined;
  /** A manual step the later steps cannot do without: the run stops here, to be resumed. */
  blocking?: boolean | undefined;
}

export interface StepRecord extends StepOutcome {
  id: string;
  title: string;
  durationMs: number;
}

/** Questions behind an interface: the terminal in the CLI, scripted answers in unit tests. */
export interface Prompter {
  /** False without a terminal (or in CI): a question then fails naming its flag. */
  readonly interactive: boolean;
  text(message: string, flag: string, options: { default?: string | undefined; validate: (answer: string) => string | undefined }): Promise<string>;
  select(message: string, flag: string, choices: readonly Choice[], defaultValue?: string): Promise<string>;
  confirm(message: string, flag: string, defaultAnswer: boolean): Promise<boolean>;
}

export interface Suggestion {
  value: string;
  why: string;
}

export interface AskOptions {
  /** Offered first; the default with --yes. */
  suggestions?: readonly Suggestion[];
  /** The suggestions are every possible answer (no "something else"). */
  closed?: boolean;
  /** Ask even though the setting has a default (the workload's namespace). */
  ask?: boolean;
}

/** What every step sees. Steps fill in what later steps need. */
export interface InitStepContext {
  readonly dryRun: boolean;
  readonly yes: boolean;
  /** The answer for a setting: flag, profile, (--yes) default or suggestion, else a question; recorded in the profile. */
  answer<K extends SettingName>(name: K, options?: AskOptions): Promise<Profile[K]>;
  /** Ask for a yes/no unless --yes; without a terminal, fail naming the flag. */
  confirm(message: string, flag: string, defaultAnswer?: boolean): Promise<boolean>;
}

export interface InitStep<Context> {
  id: string;
  title: string;
  run(context: Context): Promise<StepOutcome>;
}
