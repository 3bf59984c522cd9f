import { describe, expect, it } from 'vitest';
import { parseTechnicianPayload, technicianCommand, typedRating, userWantsToEnd } from '../../../src/engine/handoff/actions.js';

describe('handoff commands and payloads', () => {
  it.each([
    ['close', 'close'],
    ['!close', 'close'],
    ['Close.', 'close'],
    ['Fermer', 'close'],
    ['clôturer', 'close'],
    ['hand back', 'hand_back'],
    ['/hand back to the bot', 'hand_back'],
    ['Rendre la main', 'hand_back'],
    ['take it', 'take'],
    ['je prends', 'take'],
  ])('"%s" is the thread command %s', (text, command) => {
    expect(technicianCommand(text)).toBe(command);
  });

  it('a sentence that mentions a command is relayed, not obeyed', () => {
    expect(technicianCommand('please close the lid of your laptop')).toBeUndefined();
    expect(technicianCommand("I'll hand back your laptop tomorrow")).toBeUndefined();
  });

  it('reads the user\'s words for ending and typed ratings', () => {
    expect(userWantsToEnd('End')).toBe(true);
    expect(userWantsToEnd('terminer la conversation')).toBe(true);
    expect(userWantsToEnd('the end of the cable is broken')).toBe(false);
    expect(typedRating('4')).toBe(4);
    expect(typedRating('4/5')).toBe(4);
    expect(typedRating('5 étoiles')).toBe(5);
    expect(typedRating('6')).toBeUndefined();
    expect(typedRating('4 printers')).toBeUndefined();
  });

  it('validates technicians\' button payloads', () => {
    expect(parseTechnicianPayload({ action: 'handoff.take', escalationId: 'abc' })).toEqual({ command: 'take', escalationId: 'abc' });
    expect(parseTechnicianPayload({ action: 'handoff.close', escalationId: 'abc' })?.command).toBe('close');
    expect(parseTechnicianPayload({ action: 'handoff.delete', escalationId: 'abc' })).toBeUndefined();
    expect(parseTechnicianPayload({ action: 'handoff.take' })).toBeUndefined();
    expect(parseTechnicianPayload('handoff.take')).toBeUndefined();
  });
});
