import type { UserRef } from '../engine/contract.js';
import type { DirectoryIdentity } from './types.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The identity an account action may act on: only what the channel verified, never typed text.
 * Teams: the AAD object id of the signed activity (and the roster e-mail); Slack: the e-mail from
 * users.info; web chat: only an identity an identity provider vouched for (OIDC or trusted proxy),
 * so an anonymous web chat never gets actions.
 */
export function verifiedIdentity(channel: string, user: UserRef): DirectoryIdentity | undefined {
  if (user.verified) return user.verified.email ? { email: user.verified.email } : undefined;
  if (channel === 'teams') {
    if (!GUID.test(user.id)) return undefined;
    return { objectId: user.id, ...(user.email ? { email: user.email } : {}) };
  }
  if (channel === 'slack') return user.email ? { email: user.email } : undefined;
  return undefined;
}
