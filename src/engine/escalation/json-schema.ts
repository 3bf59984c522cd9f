import { zodToJsonSchema } from 'zod-to-json-schema';
import { escalationPacketSchema } from './packet.js';

/** JSON Schema of the escalation packet, for ticket systems and webhook consumers. */
export function escalationPacketJsonSchema(): object {
  return zodToJsonSchema(escalationPacketSchema, {
    name: 'EscalationPacket',
    $refStrategy: 'none',
  });
}
