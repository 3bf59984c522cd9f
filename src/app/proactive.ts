import type {
  ConversationAddress,
  HandoffCardOptions,
  OutboundMessage,
  ProactiveSender,
  SentMessage,
} from '../engine/contract.js';
import type { EscalationPacket } from '../engine/escalation/packet.js';
import type { Logger } from '../log.js';
import type { Metrics } from '../server/metrics.js';

/**
 * One ProactiveSender for every channel: picks the channel's sender from the address. A message
 * for a channel that is not running (Slack credentials removed, a CLI conversation) fails loudly,
 * so the ticket outbox keeps the notification and replays it when that channel is back.
 */
export class ProactiveRouter implements ProactiveSender {
  readonly channel = '*';
  private readonly senders = new Map<string, ProactiveSender>();

  constructor(
    senders: ProactiveSender[],
    private readonly metrics: Metrics,
    private readonly logger: Logger,
    /** The channels' per-conversation ordering, so a proactive message never overtakes a turn's replies. */
    private readonly inOrder: <T>(address: ConversationAddress, work: () => Promise<T>) => Promise<T> = (_a, work) => work(),
  ) {
    for (const s of senders) this.senders.set(s.channel, s);
  }

  /** The sender of one channel, for code that needs its extras (sendHandoffCard). */
  sender(channel: string): ProactiveSender | undefined {
    return this.senders.get(channel);
  }

  async send(address: ConversationAddress, message: OutboundMessage): Promise<SentMessage> {
    return this.attempt(address, (s) => s.send(address, message));
  }

  async sendHandoffCard(address: ConversationAddress, packet: EscalationPacket, options?: HandoffCardOptions): Promise<SentMessage> {
    return this.attempt(address, (s) => {
      if (!s.sendHandoffCard) throw new Error(`channel ${address.channel} cannot show the technicians' card`);
      return s.sendHandoffCard(address, packet, options);
    });
  }

  private async attempt(address: ConversationAddress, run: (sender: ProactiveSender) => Promise<SentMessage>): Promise<SentMessage> {
    const sender = this.senders.get(address.channel);
    try {
      if (!sender) throw new Error(`no running channel "${address.channel}" to deliver to`);
      const sent = await this.inOrder(address, () => run(sender));
      this.metrics.proactive.inc({ channel: address.channel, outcome: 'sent' });
      return sent;
    } catch (err) {
      this.metrics.proactive.inc({ channel: address.channel, outcome: 'failed' });
      this.logger.warn({ channel: address.channel, conversationId: address.conversationId, err: err instanceof Error ? err.message : String(err) }, 'proactive message not delivered');
      throw err;
    }
  }
}
