import { renderYaml } from './template.js';

export const DISCOVERY_BINDING_NAME = 'minio-irsa-issuer-discovery';
export const ANONYMOUS_SUBJECTS = {
  user: { subjectKind: 'User', subjectName: 'system:anonymous' },
  group: { subjectKind: 'Group', subjectName: 'system:unauthenticated' },
} as const;
export type AnonymousSubject = keyof typeof ANONYMOUS_SUBJECTS;

/** The ClusterRoleBinding that opens the two discovery paths to anonymous requests. */
export async function renderRbac(subject: AnonymousSubject = 'user', name = DISCOVERY_BINDING_NAME): Promise<string> {
  return renderYaml('rbac.yaml', { name, ...ANONYMOUS_SUBJECTS[subject] });
}
