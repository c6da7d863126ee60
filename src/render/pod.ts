import { renderYaml } from './template.js';
import { workloadVars, type WorkloadSettings } from './workload.js';

export interface PodOptions {
  name: string;
  image: string;
}

/** A ServiceAccount and a test pod whose aws CLI trades its token for MinIO credentials. */
export async function renderPod(settings: WorkloadSettings, options: PodOptions): Promise<string> {
  return renderYaml('pod.yaml', { ...workloadVars(settings), ...options });
}
