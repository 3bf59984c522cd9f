import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { escalationPacketJsonSchema } from '../../../src/engine/escalation/json-schema.js';
import { escalationPacketSchema } from '../../../src/engine/escalation/packet.js';

describe('escalation packet schema', () => {
  it('the committed JSON schema matches the zod source (run `npm run schemas` after a change)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../../schemas/escalation-packet.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(escalationPacketJsonSchema());
  });

  it('rejects a packet without a priority', () => {
    const r = escalationPacketSchema.safeParse({ schemaVersion: 1, id: crypto.randomUUID() });
    expect(r.success).toBe(false);
  });
});
