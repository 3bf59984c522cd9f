import type { IntentName } from './intents.js';
import type { Turn } from './turn.js';

/** Replies to greeting, thanks, goodbye and help; they leave any pending question as it is. */
export function smalltalk(turn: Turn, intent: Extract<IntentName, 'greeting' | 'thanks' | 'goodbye' | 'help' | 'ack'>): void {
  turn.event('intent', { decision: intent });
  const firstName = turn.user.name?.trim().split(/\s+/)[0];
  switch (intent) {
    case 'greeting':
      turn.text(firstName ? 'greeting' : 'greeting_anonymous', { name: firstName });
      return;
    case 'thanks':
      turn.text('thanks');
      return;
    case 'goodbye':
      turn.text('goodbye');
      return;
    case 'help':
      turn.text('help');
      return;
    case 'ack':
      turn.text(turn.state.pending || turn.flow ? 'ack_pending' : 'ack');
      return;
  }
}

/** "restart" / "annuler": drop the current topic, flow and pending question. */
export function restart(turn: Turn): void {
  turn.endFlow('abandoned');
  turn.event('intent', { decision: 'restart' });
  turn.state.topic = undefined;
  turn.state.pending = undefined;
  turn.state.parked = undefined;
  turn.text('restart');
}
