import type { InitContext } from '../context.js';
import type { InitStep } from '../types.js';
import { caStep } from './ca.js';
import { clusterStep } from './cluster.js';
import { deliverablesStep } from './deliverables.js';
import { discoveryStep } from './discovery.js';
import { policyStep } from './policy.js';
import { proofStep } from './proof.js';
import { providerStep } from './provider.js';
import { rbacStep } from './rbac.js';
import { restartStep } from './restart.js';
import { roleArnStep } from './role-arn.js';
import { whereStep } from './where.js';

/** In the order a person would do it by hand, and the order the chain needs. */
export const INIT_STEPS: readonly InitStep<InitContext>[] = [whereStep, clusterStep, rbacStep, discoveryStep, caStep, policyStep, providerStep, restartStep, roleArnStep, proofStep, deliverablesStep];
