import { randomBytes } from 'node:crypto';

/**
 * Article and user text reach the model inside tagged blocks the system prompt declares as data.
 * Tag names carry a per-request random suffix, and anything inside the content that looks like a
 * tag, a chat-template token or a role header is defanged, so no content can close its block or
 * pretend to be an instruction.
 */

/** Tag-like sequences: <x>, </x>, < x attr="y" >. */
const TAG_LIKE = /<\s*\/?\s*[A-Za-z][\w:-]*(?:\s[^<>]*)?>/g;
/** Chat-template tokens (<|im_start|>, <|eot_id|>), [INST] / <<SYS>> markers. */
const TEMPLATE_TOKENS = /<\|[^|<>]*\|>|\[\/?INST\]|<<\/?SYS>>/gi;
/** "System:", "### Assistant:", "[system]" at the start of a line: fake role headers. */
const ROLE_HEADER = /^(\s*(?:#{1,6}\s*)?)\[?(system|assistant|developer|user|instructions?)\]?\s*:/gim;

/** Makes `content` inert as markup: angle brackets of tag-like sequences become look-alikes. */
export function neutralize(content: string): string {
  return content
    .replace(/\r\n?/g, '\n')
    .replace(TEMPLATE_TOKENS, (m) => m.replace(/</g, '‹').replace(/>/g, '›').replace(/\[/g, '(').replace(/\]/g, ')'))
    .replace(TAG_LIKE, (m) => `‹${m.slice(1, -1)}›`)
    .replace(ROLE_HEADER, (_m, lead: string, role: string) => `${lead}(${role}) -`);
}

export interface Delimiters {
  /** Random per request: content cannot guess it to close a block. */
  readonly suffix: string;
  tag(base: string): string;
  block(base: string, content: string, attributes?: Record<string, string | number>): string;
}

const attr = (v: string | number): string => String(v).replace(/["<>\n]/g, ' ');

export function delimiters(suffix: string = randomBytes(4).toString('hex')): Delimiters {
  const tag = (base: string) => `${base}-${suffix}`;
  return {
    suffix,
    tag,
    block(base, content, attributes = {}) {
      const name = tag(base);
      const attrs = Object.entries(attributes)
        .map(([k, v]) => ` ${k}="${attr(v)}"`)
        .join('');
      return `<${name}${attrs}>\n${neutralize(content).trim()}\n</${name}>`;
    },
  };
}
