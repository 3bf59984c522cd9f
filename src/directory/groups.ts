import { TtlCache } from '../channels/ttl-cache.js';
import type { Engine, InboundEvent, UserRef } from '../engine/contract.js';
import { verifiedIdentity } from './identity.js';
import type { DirectoryConnector } from './types.js';

/**
 * The audiences of a user the channel itself cannot tell (Teams, Slack, a web sign-in without a
 * groups claim): the user's groups in the configured directory (Entra ID, Okta, LDAP), looked up
 * for the identity the channel verified and cached for a while. A failed lookup gives no groups:
 * the user then sees articles for everyone only, never more.
 */

/** Kept under the engine's limit on UserRef.groups. */
const MAX_GROUPS = 500;

export interface DirectoryGroupsOptions {
  ttlMs: number;
  /** Channels whose identities are verified by the platform (Teams only with an app id: local mode takes claims). */
  trustedChannels: ReadonlySet<string>;
  log?: { warn(obj: object, message: string): void };
}

export class DirectoryGroups {
  private readonly cache: TtlCache<string[]>;
  private readonly failures: TtlCache<true>;
  private readonly pending = new Map<string, Promise<string[] | undefined>>();

  constructor(
    private readonly connector: DirectoryConnector,
    private readonly options: DirectoryGroupsOptions,
  ) {
    this.cache = new TtlCache(options.ttlMs);
    // A directory that is down is asked again after a minute, not at every message.
    this.failures = new TtlCache(Math.min(options.ttlMs, 60_000));
  }

  /** The user's groups, or undefined when the channel is not trusted or the identity is not verified. */
  groupsOf(channel: string, user: UserRef): Promise<string[] | undefined> {
    if (!user.verified && !this.options.trustedChannels.has(channel)) return Promise.resolve(undefined);
    const identity = verifiedIdentity(channel, user);
    if (!identity) return Promise.resolve(undefined);
    const key = JSON.stringify([identity.objectId ?? '', (identity.email ?? '').toLowerCase()]);
    const cached = this.cache.get(key);
    if (cached) return Promise.resolve(cached);
    if (this.failures.has(key)) return Promise.resolve([]);
    let lookup = this.pending.get(key);
    if (!lookup) {
      lookup = (async () => {
        try {
          const found = await this.connector.groupsOf(await this.connector.findUser(identity));
          const all = [...new Set(found.map((g) => g.trim()).filter((g) => g && g.length <= 256))];
          if (all.length > MAX_GROUPS) this.options.log?.warn({ channel, groups: all.length, kept: MAX_GROUPS }, 'directory groups over the limit: only the first ones are used');
          const groups = all.slice(0, MAX_GROUPS);
          this.cache.set(key, groups);
          return groups;
        } catch (err) {
          this.failures.set(key, true);
          this.options.log?.warn({ channel, err: err instanceof Error ? err.message : String(err) }, 'directory group lookup failed: the user sees articles for everyone only');
          return [];
        } finally {
          this.pending.delete(key);
        }
      })();
      this.pending.set(key, lookup);
    }
    return lookup;
  }
}

/** The engine, with each event's user given the directory groups when the channel stated none. */
export function withDirectoryGroups(engine: Engine, groups: DirectoryGroups): Engine {
  return {
    ...engine,
    handle: async (event: InboundEvent) => {
      // A malformed event goes on untouched: the engine validates it and answers.
      if (!event?.user || !event.address || event.user.groups !== undefined) return engine.handle(event);
      const found = await groups.groupsOf(event.address.channel, event.user);
      return engine.handle(found ? { ...event, user: { ...event.user, groups: found } } : event);
    },
  };
}
