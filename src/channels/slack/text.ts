/**
 * Slack message text → what the engine reads: the bot's own mention removed, Slack's link and
 * mention markup turned back into words, and its three HTML escapes decoded.
 * https://api.slack.com/reference/surfaces/formatting#retrieving-messages
 */
export function slackTextToPlain(text: string, botUserId?: string): string {
  return text
    .replace(/<([^<>]+)>/g, (_whole, inner: string) => {
      const [target = '', label] = inner.split('|', 2);
      if (target.startsWith('@')) return botUserId && target.slice(1) === botUserId ? '' : `@${label ?? target.slice(1)}`;
      if (target.startsWith('#')) return `#${label ?? target.slice(1)}`;
      if (target.startsWith('!')) return label ?? '';
      if (target.startsWith('mailto:')) return label ?? target.slice('mailto:'.length);
      return label ?? target;
    })
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
}
