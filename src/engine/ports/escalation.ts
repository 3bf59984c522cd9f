import type { EscalationPacket } from '../escalation/packet.js';

/**
 * Where the engine hands an escalation over. The implementation (the transactional outbox in
 * src/tickets/outbox.ts) must have durably written the packet before `submit` resolves; delivery
 * to the ticket system happens later, and the ticket number reaches the user proactively.
 */
export interface EscalationSink {
  submit(packet: EscalationPacket): Promise<void>;
}
