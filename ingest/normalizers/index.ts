import type { SourceId } from '../../schema/auth-event.ts';
import type { Normalizer } from './normalizer.ts';
// One import per source; each source's module exports `<source>Normalizer`.
import { oktaNormalizer } from './okta.ts';
import { duoNormalizer } from './duo.ts';
import { teleportNormalizer } from './teleport.ts';
import { boundaryNormalizer } from './boundary.ts';
import { k8sNormalizer } from './k8s.ts';
import { entraNormalizer } from './entra.ts';
import { googleNormalizer } from './google.ts';
import { cloudtrailNormalizer } from './cloudtrail.ts';
import { gcpNormalizer } from './gcp.ts';
import { azureNormalizer } from './azure.ts';
import { sshdNormalizer } from './sshd.ts';
import { postgresNormalizer } from './postgres.ts';

const REGISTRY: Partial<Record<SourceId, Normalizer>> = {
  postgres: postgresNormalizer,
  sshd: sshdNormalizer,
  cloudtrail: cloudtrailNormalizer,
  gcp: gcpNormalizer,
  azure: azureNormalizer,
  entra: entraNormalizer,
  google: googleNormalizer,
  okta: oktaNormalizer,
  duo: duoNormalizer,
  teleport: teleportNormalizer,
  boundary: boundaryNormalizer,
  k8s: k8sNormalizer,
};

/** The normalizer for a source id, or undefined when accessproof cannot read that source. */
export function normalizerFor(source: string): Normalizer | undefined {
  return (REGISTRY as Record<string, Normalizer | undefined>)[source];
}

/** Source ids that have a normalizer, sorted. */
export function normalizerSources(): string[] {
  return Object.keys(REGISTRY).sort();
}
