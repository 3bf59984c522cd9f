import { describe, expect, it } from 'vitest';
import { slackTextToPlain } from '../../../src/channels/slack/text.js';

describe('Slack text to plain text', () => {
  it("removes the bot's own mention and keeps other people's as names", () => {
    expect(slackTextToPlain('<@U0BOT> my <@U0LEA|lea> laptop', 'U0BOT')).toBe('my @lea laptop');
    expect(slackTextToPlain('<@U0OTHER> hi', 'U0BOT')).toBe('@U0OTHER hi');
  });

  it('turns links, channels, special mentions and escapes back into words', () => {
    expect(slackTextToPlain('see <https://intranet.example.com/vpn|the VPN page> or <https://example.com>')).toBe('see the VPN page or https://example.com');
    expect(slackTextToPlain('mail <mailto:it@example.com|it@example.com> in <#C0123|it-help> <!here>')).toBe('mail it@example.com in #it-help');
    expect(slackTextToPlain('a &lt;b&gt; &amp;amp; c')).toBe('a <b> &amp; c');
  });
});
