import type { Route } from './routes.js';
import type { Turn } from './turn.js';

/**
 * The reply to a request that is not an IT problem: what the bot is for, and where the request
 * goes (the configured portal, or who to ask). No ticket is offered: these are not IT tickets.
 */
export function redirect(turn: Turn, route: Route): void {
  turn.event('intent', { decision: 'route', value: route });
  const lines = [turn.t('route.about')];
  if (route === 'off_topic') {
    lines.push(turn.t('route.off_topic'));
  } else {
    const portal = turn.deps.config.requestPortals[route];
    if (portal) {
      const label = portal.label?.[turn.lang] ?? turn.t(`route.label.${route}`);
      lines.push(turn.t(`route.${route}`, { label, url: portal.url }));
    } else {
      lines.push(turn.t(`route.${route}_no_portal`));
    }
  }
  lines.push(turn.t('route.outro'));
  turn.send([{ kind: 'text', text: lines.join('\n\n') }]);
}
