import type { Result } from './admission.js';

// Prometheus metrics of the admission server (prom-client): admissions by result and reason,
// their latency, and the process's own (memory, event-loop lag). Labels come from fixed
// sets only, so the series stay bounded however many pods pass.

export interface WebhookMetrics {
  observe(result: Result, reason: string | undefined, seconds: number): void;
  render(): Promise<{ contentType: string; text: string }>;
}

export async function createMetrics(): Promise<WebhookMetrics> {
  // prom-client is CommonJS: Node gives its exports as named ones, a bundle (the image's) as
  // the default export only.
  const imported = await import('prom-client');
  const prom = 'Registry' in imported ? imported : (imported as { default: typeof imported }).default;
  const registry = new prom.Registry();
  prom.collectDefaultMetrics({ register: registry, prefix: 'minio_irsa_webhook_' });
  const admissions = new prom.Counter({
    name: 'minio_irsa_webhook_admissions_total',
    help: 'Pod admissions, by result (mutated, unchanged, skipped, invalid) and reason',
    labelNames: ['result', 'reason'] as const,
    registers: [registry],
  });
  const latency = new prom.Histogram({
    name: 'minio_irsa_webhook_admission_duration_seconds',
    help: 'Time from the request to the response, per admission',
    labelNames: ['result'] as const,
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1, 0.5, 2],
    registers: [registry],
  });
  return {
    observe(result, reason, seconds) {
      admissions.inc({ result, reason: reason ?? 'none' });
      latency.observe({ result }, seconds);
    },
    async render() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
