import { CA_MOUNT, caVolume, envList, tokenMount, tokenVolume } from '../inject/core.js';
import { renderYaml } from './template.js';
import { injectionSettingsFor, workloadVars, type WorkloadSettings } from './workload.js';

export interface PodOptions {
  name: string;
  image: string;
}

/** A ServiceAccount and a test pod whose aws CLI trades its token for MinIO credentials; its wiring is the inject core's. */
export async function renderPod(settings: WorkloadSettings, options: PodOptions): Promise<string> {
  const injection = injectionSettingsFor(settings);
  const ca = injection.caConfigMap;
  return renderYaml('pod.yaml', {
    ...workloadVars(settings),
    ...options,
    env: envList(injection),
    tokenMounts: [tokenMount(injection), ...(ca ? [CA_MOUNT] : [])],
    tokenVolumes: [tokenVolume(injection), ...(ca ? [caVolume(ca)] : [])],
  });
}
