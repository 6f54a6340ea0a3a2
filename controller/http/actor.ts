// Who did a manual operation: the token's identity, plus an optional name the caller gives in
// `X-Guardrail-Actor` (e.g. the operator's login). The header is untrusted free text that ends up in
// logs, alerts and the history table, so it is reduced to a short, plain token.
import type { TokenIdentity } from './auth.js';

export const ACTOR_HEADER = 'x-guardrail-actor';
const MAX_ACTOR_NAME = 64;

/** Keeps letters, digits and `._@-`; anything else (spaces, newlines, pipes, markup) is dropped. */
export function sanitiseActorName(raw: string | string[] | undefined): string | undefined {
  const text = Array.isArray(raw) ? raw[0] : raw;
  if (text === undefined) return undefined;
  const clean = text.replace(/[^A-Za-z0-9._@-]/g, '').slice(0, MAX_ACTOR_NAME);
  return clean === '' ? undefined : clean;
}

/** `api-token` or `api-token:alice`. */
export function actorOf(identity: TokenIdentity, header: string | string[] | undefined): string {
  const name = sanitiseActorName(header);
  return name === undefined ? identity : `${identity}:${name}`;
}
