import type { InitContext } from './context.js';

// What MinIO has loaded, asked once per run (each admin call costs an Argon2id key derivation).

export interface ProviderState {
  /** Loaded at startup: MinIO answers with its settings. A saved but not yet loaded one reads as absent. */
  loaded: boolean;
  settings: Record<string, string>;
}

export async function providerState(context: InitContext): Promise<ProviderState | undefined> {
  if (!context.admin) return undefined;
  if (context.provider) return context.provider;
  const name = await context.answer('provider');
  const [listed, settings] = await Promise.all([context.admin.listOpenIdProviders(), context.admin.getOpenIdProvider(name)]);
  context.provider = { loaded: listed.some((provider) => provider.name === name && provider.enabled), settings };
  return context.provider;
}

export async function providerLoaded(context: InitContext, configUrl: string): Promise<boolean> {
  const state = await providerState(context);
  return Boolean(state?.loaded && state.settings['config_url'] === configUrl);
}
