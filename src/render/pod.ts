import { renderYaml } from './template.js';
import { workloadVars, type WorkloadSettings } from './workload.js';

export const DEFAULT_AWS_CLI_IMAGE = 'amazon/aws-cli:latest';

export interface PodOptions {
  name: string;
  image: string;
}

/** A ServiceAccount and a test pod whose aws CLI trades its token for MinIO credentials. */
export async function renderPod(settings: WorkloadSettings, options: PodOptions): Promise<string> {
  return renderYaml('pod.yaml', { ...workloadVars(settings), ...options });
}
