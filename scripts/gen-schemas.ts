import { writeFileSync } from 'node:fs';
import { escalationPacketJsonSchema } from '../src/engine/escalation/json-schema.js';

// Regenerates the JSON schemas committed under schemas/ from their zod sources.
writeFileSync('schemas/escalation-packet.schema.json', JSON.stringify(escalationPacketJsonSchema(), null, 2) + '\n');
console.log('wrote schemas/escalation-packet.schema.json');
