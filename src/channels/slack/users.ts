import type { webApi } from '@slack/bolt';
import type { UserRef } from '../../engine/contract.js';
import { TtlCache } from '../ttl-cache.js';

/**
 * Name, e-mail (users:read.email scope) and locale of a Slack user, from users.info, cached for an
 * hour. A failed lookup falls back to the bare user id (retried after five minutes): the turn
 * never waits on a broken directory.
 */
export class SlackUsers {
  private readonly cache = new TtlCache<UserRef>(60 * 60 * 1000);
  private readonly failures = new TtlCache<true>(5 * 60 * 1000);

  constructor(
    private readonly client: webApi.WebClient,
    private readonly onError: (err: unknown) => void,
  ) {}

  async get(userId: string): Promise<UserRef> {
    const cached = this.cache.get(userId);
    if (cached) return cached;
    if (this.failures.has(userId)) return { id: userId };
    try {
      const { user } = await this.client.users.info({ user: userId, include_locale: true });
      const name = user?.profile?.real_name || user?.real_name || user?.profile?.display_name || user?.name;
      const email = user?.profile?.email;
      const ref: UserRef = {
        id: userId,
        ...(name ? { name } : {}),
        ...(email ? { email } : {}),
        ...(user?.locale ? { locale: user.locale } : {}),
      };
      this.cache.set(userId, ref);
      return ref;
    } catch (err) {
      this.failures.set(userId, true);
      this.onError(err);
      return { id: userId };
    }
  }
}
