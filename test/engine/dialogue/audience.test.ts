import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Chat } from './transcript.js';
import { harness, type Harness } from './harness.js';

/** The dialogue hands retrieval the audiences the channel verified for the user, and nothing else. */

let h: Harness;
beforeEach(() => {
  h = harness();
});
afterEach(() => h.close());

describe('audience of the asking user', () => {
  it('passes the verified groups of the user to retrieval', async () => {
    const chat = new Chat(h.engine, 'conv-it-staff', { id: 'u-tech', name: 'Tom Tech', groups: ['IT staff'] });
    await chat.say('the vpn gateway says it cannot connect');
    expect(h.knowledge.queries.at(-1)?.options).toMatchObject({ audiences: ['IT staff'] });
  });

  it('an employee without verified groups asks with no audience (public articles only)', async () => {
    const chat = new Chat(h.engine);
    await chat.say('the vpn gateway says it cannot connect');
    expect(h.knowledge.queries.at(-1)?.options?.audiences).toBeUndefined();
  });
});
