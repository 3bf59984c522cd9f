import { TeamsInfo, type TeamsChannelAccount, type TurnContext } from 'botbuilder';
import type { UserRef } from '../../engine/contract.js';
import { TtlCache } from '../ttl-cache.js';

/**
 * Who is talking: the Entra object id (stable across chats and devices) when Teams sends it, the
 * display name, and the e-mail from the roster (TeamsInfo.getMember, cached an hour; a failed
 * lookup is retried after five minutes and never blocks the turn).
 */

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface MemberLookup {
  (context: TurnContext, userId: string): Promise<TeamsChannelAccount>;
}

export class TeamsIdentity {
  private readonly members = new TtlCache<TeamsChannelAccount>(60 * 60 * 1000);
  private readonly failures = new TtlCache<true>(5 * 60 * 1000);

  constructor(
    private readonly onLookupError: (err: unknown) => void,
    private readonly lookup: MemberLookup = (context, userId) => TeamsInfo.getMember(context, userId),
  ) {}

  async userOf(context: TurnContext): Promise<UserRef> {
    const { from, locale, channelId, conversation } = context.activity;
    const member = channelId === 'msteams' ? await this.member(context, `${conversation?.tenantId ?? ''}:${from.id}`, from.id) : undefined;
    const email = [member?.email, member?.userPrincipalName].find((e): e is string => typeof e === 'string' && EMAIL.test(e));
    const name = member?.name ?? from.name;
    return {
      id: from.aadObjectId ?? member?.aadObjectId ?? from.id,
      ...(name ? { name } : {}),
      ...(email ? { email } : {}),
      ...(locale ? { locale } : {}),
    };
  }

  private async member(context: TurnContext, key: string, userId: string): Promise<TeamsChannelAccount | undefined> {
    const cached = this.members.get(key);
    if (cached || this.failures.has(key)) return cached;
    try {
      const member = await this.lookup(context, userId);
      this.members.set(key, member);
      return member;
    } catch (err) {
      this.failures.set(key, true);
      this.onLookupError(err);
      return undefined;
    }
  }
}
