// Web chat page. Plain ES module, no dependencies. Everything the server sends is rendered with
// DOM APIs and textContent (never innerHTML), from the parsed trees built by view-model.ts.

const strings = JSON.parse(document.getElementById('chat-strings').textContent);
const log = document.getElementById('log');
const form = document.getElementById('composer');
const input = document.getElementById('chat-input');
const sendButton = document.getElementById('send');
const typing = document.getElementById('typing');
const status = document.getElementById('status');
const chat = document.querySelector('.chat');

const STORAGE_KEY = 'helpdesk.webchat';
const HISTORY_LIMIT = 100;

let uiLang = strings[document.documentElement.lang] ? document.documentElement.lang : 'en';
let pending = 0;
let events;
const seen = new Set();

/** Random id; crypto.randomUUID needs a secure context, getRandomValues does not. */
function newId() {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function loadSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(STORAGE_KEY) ?? 'null');
    if (saved && typeof saved.conversationId === 'string' && typeof saved.userId === 'string' && Array.isArray(saved.history)) return saved;
  } catch {
    // A corrupt entry only means a fresh conversation.
  }
  return { conversationId: newId(), userId: newId(), history: [] };
}

let session = loadSession();

function saveSession() {
  session.history = session.history.slice(-HISTORY_LIMIT);
  try {
    sessionStorage.setItem(STORAGE_KEY, JSON.stringify(session));
  } catch {
    // Storage full or disabled: the conversation still works, only a reload forgets the log.
  }
}

function t(key, params = {}, lang = uiLang) {
  const template = strings[lang]?.[key] ?? strings.en[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (whole, name) => (name in params ? String(params[name]) : whole));
}

// ---------------------------------------------------------------------------------------------
// Page language: follows the bot's replies; the EN/FR switch overrides it until the next reply.

function applyChrome(lang) {
  if (!strings[lang]) return;
  uiLang = lang;
  document.documentElement.lang = lang;
  document.title = t('title');
  for (const el of document.querySelectorAll('[data-i18n]')) el.textContent = t(el.dataset.i18n);
  for (const el of document.querySelectorAll('[data-i18n-aria]')) el.setAttribute('aria-label', t(el.dataset.i18nAria));
  for (const el of document.querySelectorAll('[data-i18n-placeholder]')) el.setAttribute('placeholder', t(el.dataset.i18nPlaceholder));
  for (const b of document.querySelectorAll('.lang-switch button')) b.setAttribute('aria-pressed', String(b.dataset.lang === lang));
}

// ---------------------------------------------------------------------------------------------
// Rendering the reply model

function el(tag, attrs = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of [].concat(children)) if (c !== undefined && c !== null) node.append(c);
  return node;
}

function link(url, label, lang) {
  const a = el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, [label]);
  a.append(el('span', { class: 'visually-hidden', text: ` ${t('new_tab', {}, lang)}` }));
  return a;
}

// Bare web addresses in text become links too. Trailing punctuation belongs to the sentence, and a
// closing parenthesis only to the URL when it opened one there (https://en.wikipedia.org/wiki/X_(y)).
const BARE_URL = /\bhttps?:\/\/[^\s<>"'`]+/gi;

function trimUrl(url) {
  let end = url.length;
  for (;;) {
    const ch = url[end - 1];
    if (/[.,;:!?'"»]/.test(ch)) end -= 1;
    else if (ch === ')' && (url.slice(0, end).match(/\(/g) ?? []).length < (url.slice(0, end).match(/\)/g) ?? []).length) end -= 1;
    else break;
  }
  return url.slice(0, end);
}

/** Text with its http(s) addresses as links; everything else (other schemes included) stays text. */
function linkify(text, lang) {
  const frag = document.createDocumentFragment();
  let at = 0;
  for (const m of text.matchAll(BARE_URL)) {
    const url = trimUrl(m[0]);
    if (!/^https?:\/\/[^/?#\s]+/i.test(url)) continue;
    frag.append(text.slice(at, m.index), link(url, url, lang));
    at = m.index + url.length;
  }
  frag.append(text.slice(at));
  return frag;
}

function inlines(nodes, lang) {
  const frag = document.createDocumentFragment();
  for (const n of nodes ?? []) {
    switch (n.type) {
      case 'text':
        frag.append(linkify(n.text, lang));
        break;
      case 'code':
        frag.append(el('code', { text: n.text }));
        break;
      case 'bold':
        frag.append(el('strong', {}, inlines(n.children, lang)));
        break;
      case 'italic':
        frag.append(el('em', {}, inlines(n.children, lang)));
        break;
      case 'link':
        // The server only emits http(s) and mailto links; checked again here.
        frag.append(/^(https?:|mailto:)/i.test(n.url) ? link(n.url, n.label, lang) : n.label);
        break;
    }
  }
  return frag;
}

function blocks(list, lang) {
  const frag = document.createDocumentFragment();
  for (const b of list ?? []) {
    if (b.type === 'paragraph') {
      const p = el('p');
      b.lines.forEach((line, i) => {
        if (i > 0) p.append(el('br'));
        p.append(inlines(line, lang));
      });
      frag.append(p);
    } else if (b.type === 'list') {
      const l = el(b.ordered ? 'ol' : 'ul', b.ordered && b.start && b.start !== 1 ? { start: b.start } : {});
      for (const item of b.items) l.append(el('li', {}, inlines(item, lang)));
      frag.append(l);
    }
  }
  return frag;
}

function renderPart(part, message, container) {
  const lang = message.lang;
  switch (part.kind) {
    case 'text':
      return blocks(part.blocks, lang);
    case 'steps': {
      const frag = document.createDocumentFragment();
      if (part.title) frag.append(el('p', { class: 'steps-title' }, inlines(part.title, lang)));
      const ol = el('ol', { class: 'steps' });
      for (const step of part.steps) ol.append(el('li', {}, inlines(step, lang)));
      frag.append(ol);
      return frag;
    }
    case 'citation': {
      const frag = document.createDocumentFragment();
      const p = el('p', { class: 'citation' }, ['📄 ', part.before, part.url ? link(part.url, part.title, lang) : part.title, part.after]);
      if (part.updatedLabel) p.append(` · ${part.updatedLabel}`);
      frag.append(p);
      if (part.staleWarning) frag.append(el('p', { class: 'stale', role: 'note' }, [`⚠️ ${part.staleWarning}`]));
      return frag;
    }
    case 'choices': {
      const frag = document.createDocumentFragment();
      if (part.prompt) frag.append(blocks(part.prompt, lang));
      const group = el('div', { class: 'choices', role: 'group' });
      if (part.prompt) group.setAttribute('aria-label', part.prompt.flatMap((b) => (b.type === 'paragraph' ? b.lines : b.items)).flat().map(plain).join(' '));
      for (const choice of part.choices) {
        const button = el('button', { type: 'button', class: choice.style }, [choice.label]);
        button.addEventListener('click', () => void choose(choice, message, container));
        group.append(button);
      }
      frag.append(group);
      return frag;
    }
    case 'ticket': {
      const section = el('section', { class: `notice ticket ticket-${part.state}`, role: part.state === 'failed' ? 'alert' : 'status' });
      section.append(el('h2', { text: part.heading }), blocks(part.text, lang));
      const facts = el('dl');
      if (part.number) facts.append(el('dt', { text: part.labels.number }), el('dd', {}, [part.url ? link(part.url, part.number, lang) : part.number]));
      if (part.status) facts.append(el('dt', { text: part.labels.status }), el('dd', { text: part.status }));
      if (facts.childElementCount) section.append(facts);
      else if (part.url) section.append(el('p', {}, [link(part.url, part.labels.view, lang)]));
      return section;
    }
    case 'handoff': {
      const section = el('section', { class: `notice handoff handoff-${part.state}`, role: 'status' });
      section.append(el('h2', { text: part.heading }), blocks(part.text, lang));
      return section;
    }
    default:
      return document.createDocumentFragment();
  }
}

function plain(node) {
  if (node.type === 'text' || node.type === 'code') return node.text;
  if (node.type === 'link') return node.label;
  return (node.children ?? []).map(plain).join('');
}

function botItem(message) {
  const li = el('li', { class: `msg bot${message.proactive ? ' proactive' : ''}`, lang: message.lang, 'data-message-id': message.id });
  li.append(el('span', { class: 'who', text: `${t('bot', {}, message.lang)}: ` }));
  for (const part of message.parts) li.append(renderPart(part, message, li));
  return li;
}

// Long pasted texts (logs) are shown folded, with a button to unfold them.
const COLLAPSE_CHARS = 600;
const COLLAPSE_LINES = 8;
let collapsibleCount = 0;

function collapsible(li, text) {
  if (text.length <= COLLAPSE_CHARS && text.split('\n').length <= COLLAPSE_LINES) return;
  const body = li.querySelector('.text');
  body.id = `user-text-${++collapsibleCount}`;
  body.classList.add('collapsed');
  const toggle = el('button', { type: 'button', class: 'secondary more', 'aria-expanded': 'false', 'aria-controls': body.id, 'data-i18n': 'show_more' }, [t('show_more')]);
  toggle.addEventListener('click', () => {
    const open = body.classList.toggle('collapsed') === false;
    toggle.setAttribute('aria-expanded', String(open));
    toggle.dataset.i18n = open ? 'show_less' : 'show_more';
    toggle.textContent = t(toggle.dataset.i18n);
  });
  li.append(toggle);
}

function userItem(text) {
  const li = el('li', { class: 'msg user' });
  li.append(el('span', { class: 'who', text: `${t('you')}: ` }), el('span', { class: 'text' }, [text]));
  collapsible(li, text);
  return li;
}

function scrollToEnd() {
  chat.scrollTop = chat.scrollHeight;
}

/** The provisional bubble of an answer being streamed, if any. */
function streamingItem(id) {
  return [...log.querySelectorAll('li.msg.bot.streaming')].find((li) => li.dataset.streamId === id);
}

/**
 * A piece of a model-written answer (server-sent `answer-delta`, plain text, each piece sent once
 * the answer up to it passed the grounding check): shown in a provisional bubble that the complete
 * message replaces (the checked answer, or the article if the whole answer failed a later check).
 */
function showDelta(delta) {
  if (typeof delta?.id !== 'string' || typeof delta.text !== 'string' || seen.has(delta.id)) return;
  let li = streamingItem(delta.id);
  if (!li) {
    const lang = uiLang;
    li = el('li', { class: 'msg bot streaming', lang, 'data-stream-id': delta.id, 'aria-busy': 'true' });
    li.append(el('span', { class: 'who', text: `${t('bot', {}, lang)}: ` }), el('p', { class: 'text' }));
    log.append(li);
  }
  li.querySelector('.text').append(delta.text);
  scrollToEnd();
}

function showBot(message, { replace, record = true } = {}) {
  if (seen.has(message.id)) return;
  seen.add(message.id);
  const item = botItem(message);
  const streamed = streamingItem(message.id);
  if (streamed) item.dataset.streamed = 'true';
  if (replace && replace.isConnected) {
    replace.replaceWith(item);
    streamed?.remove();
  } else if (streamed) streamed.replaceWith(item);
  else log.append(item);
  if (record) {
    session.history.push({ kind: 'bot', message, ...(replace?.dataset.messageId ? { replaces: replace.dataset.messageId } : {}) });
    saveSession();
  }
  if (message.lang !== uiLang) applyChrome(message.lang);
  scrollToEnd();
}

function showUser(text, record = true) {
  const item = userItem(text);
  log.append(item);
  if (record) {
    session.history.push({ kind: 'user', text });
    saveSession();
  }
  scrollToEnd();
  return item;
}

function showGreeting() {
  const greeting = { id: `greeting-${uiLang}`, lang: uiLang, parts: [{ kind: 'text', blocks: [{ type: 'paragraph', lines: [[{ type: 'text', text: t('greeting') }]] }] }] };
  showBot(greeting, { record: false });
}

// ---------------------------------------------------------------------------------------------
// Talking to the server

function setBusy(delta) {
  pending += delta;
  typing.hidden = pending === 0;
  if (pending > 0) scrollToEnd();
}

function showStatus(text) {
  status.textContent = text ?? '';
  status.hidden = !text;
}

/**
 * POST /api/chat, sent once more (same message id) when no answer came back at all: the server
 * answers a message id once, so a retry after a dropped connection cannot make a duplicate.
 */
async function send(payload) {
  const request = () =>
    fetch('/api/chat', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(payload) });
  try {
    return await request();
  } catch {
    await new Promise((r) => setTimeout(r, 1000));
    return request();
  }
}

async function post(body) {
  setBusy(1);
  showStatus();
  try {
    // Who is talking is the server's business (session cookie or sign-in); the page only says its language.
    const res = await send({ conversationId: session.conversationId, user: { locale: navigator.language }, messageId: newId(), ...body });
    if (res.status === 401) {
      const data = await res.json().catch(() => ({}));
      showStatus(t('error_signed_out'));
      if (typeof data.signInUrl === 'string' && data.signInUrl.startsWith('/')) location.assign(data.signInUrl);
      return undefined;
    }
    if (res.status === 503) {
      showStatus(t('error_busy'));
      return undefined;
    }
    const data = await res.json().catch(() => ({}));
    if (!res.ok) {
      showStatus(res.status < 500 ? t('error_rejected', { reason: data.message ?? res.status }) : t('error_send'));
      return undefined;
    }
    return { replies: data.replies ?? [], echo: typeof data.echo?.text === 'string' ? data.echo.text : undefined };
  } catch {
    showStatus(t('error_send'));
    return undefined;
  } finally {
    setBusy(-1);
  }
}

/** A new message from the person answers or supersedes every earlier button. */
function retireButtons(except) {
  for (const b of log.querySelectorAll('.choices button:not(:disabled)')) {
    if (except && except.contains(b)) continue;
    b.disabled = true;
  }
}

async function sendText(text) {
  retireButtons();
  // Shown at once, but kept in the browser only as the server's redacted echo: a password typed by
  // mistake is masked in the bubble and never written to sessionStorage.
  const item = showUser(text, false);
  const answer = await post({ text });
  // Not delivered: the words go back in the box (unless something new was typed), to send again.
  if (!answer && !input.value) {
    input.value = text;
    autosize();
  }
  if (answer?.echo !== undefined) {
    item.replaceWith(userItem(answer.echo));
    session.history.push({ kind: 'user', text: answer.echo });
    saveSession();
  }
  for (const message of answer?.replies ?? []) showBot(message);
  dropStreaming();
}

/** Streamed text no reply took the place of (the turn failed): the replies are the truth. */
function dropStreaming() {
  for (const li of log.querySelectorAll('li.msg.bot.streaming')) li.remove();
}

function answeredNote(label, lang) {
  return el('p', { class: 'answered', text: t('answered', { answer: label }, lang) });
}

async function choose(choice, message, container) {
  const buttons = container.querySelectorAll('.choices button');
  for (const b of buttons) b.disabled = true;
  // The pressed button is now disabled; without this, focus would fall back to <body>.
  input.focus();
  const note = answeredNote(choice.label, message.lang);
  container.append(note);
  const replies = (await post({ action: { payload: choice.value, sourceMessageId: message.id } }))?.replies;
  if (!replies) {
    // Not delivered: let the person try again.
    note.remove();
    for (const b of buttons) b.disabled = false;
    return;
  }
  retireButtons();
  // Only the label is kept, so a reload shows which button was pressed and keeps it disabled.
  session.history.push({ kind: 'action', messageId: message.id, label: choice.label, lang: message.lang });
  saveSession();
  for (const reply of replies) showBot(reply, reply.replacesSourceMessage ? { replace: container } : {});
  dropStreaming();
}

function connectEvents() {
  events?.close();
  events = new EventSource(`/api/chat/events?conversationId=${encodeURIComponent(session.conversationId)}`);
  events.addEventListener('message', (e) => {
    try {
      showBot(JSON.parse(e.data));
    } catch {
      // A malformed event is dropped; the next one still renders.
    }
  });
  events.addEventListener('answer-delta', (e) => {
    try {
      showDelta(JSON.parse(e.data));
    } catch {
      // A malformed piece is dropped: the complete message still arrives with the reply.
    }
  });
  events.addEventListener('open', () => {
    if (status.textContent === t('reconnecting')) showStatus();
  });
  events.addEventListener('error', () => showStatus(t('reconnecting')));
}

function restoreHistory() {
  const items = new Map();
  showGreeting();
  // Buttons stay live only on bot messages after the person's last message or button press.
  let lastAct = -1;
  session.history.forEach((entry, i) => {
    if (entry.kind === 'user' || entry.kind === 'action') lastAct = i;
  });
  const live = [];
  for (const [i, entry] of session.history.entries()) {
    if (entry.kind === 'user') log.append(userItem(entry.text));
    else if (entry.kind === 'action' && typeof entry.label === 'string') {
      const item = items.get(entry.messageId);
      if (item?.isConnected) item.append(answeredNote(entry.label, entry.lang ?? uiLang));
    } else if (entry.kind === 'bot' && entry.message) {
      seen.add(entry.message.id);
      const item = botItem(entry.message);
      // Buttons of restored messages were either used or superseded.
      for (const b of item.querySelectorAll('.choices button')) b.disabled = true;
      const replaced = entry.replaces ? items.get(entry.replaces) : undefined;
      if (replaced) replaced.replaceWith(item);
      else log.append(item);
      items.set(entry.message.id, item);
      if (i > lastAct) live.push(item);
      uiLang = entry.message.lang;
    }
  }
  for (const item of live) {
    if (!item.isConnected || item.querySelector('.answered')) continue;
    for (const b of item.querySelectorAll('.choices button')) b.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------------
// Wiring

form.addEventListener('submit', (e) => {
  e.preventDefault();
  const text = input.value.trim();
  if (!text) return;
  input.value = '';
  autosize();
  void sendText(text);
  input.focus();
});

input.addEventListener('keydown', (e) => {
  if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
    e.preventDefault();
    form.requestSubmit(sendButton);
  }
});

function autosize() {
  input.style.height = 'auto';
  input.style.height = `${Math.min(input.scrollHeight, 160)}px`;
}
input.addEventListener('input', autosize);

for (const b of document.querySelectorAll('.lang-switch button')) {
  b.addEventListener('click', () => {
    applyChrome(b.dataset.lang);
    if (session.history.length === 0) {
      log.replaceChildren();
      seen.clear();
      showGreeting();
    }
  });
}

document.getElementById('new-conversation').addEventListener('click', () => {
  session = { conversationId: newId(), userId: session.userId, history: [] };
  saveSession();
  log.replaceChildren();
  seen.clear();
  showStatus();
  showGreeting();
  connectEvents();
  input.focus();
});

/** Shows who is signed in (OIDC or the reverse proxy), or the sign-in link when nobody is. */
async function showIdentity() {
  try {
    const res = await fetch('/api/chat/session', { headers: { Accept: 'application/json' } });
    const me = await res.json();
    const who = document.getElementById('who');
    if (me.signedIn) {
      who.textContent = t('signed_in_as', { name: me.name ?? me.email ?? '' });
      who.hidden = false;
      if (me.mode === 'oidc') document.getElementById('sign-out').hidden = false;
    } else if (me.mode === 'oidc') {
      if (new URLSearchParams(location.search).has('signed_out')) showStatus(t('signed_out'));
      document.getElementById('sign-in').hidden = false;
    }
  } catch {
    // Only the header line is missing; the chat itself reports sign-in problems.
  }
}

document.getElementById('sign-out').addEventListener('submit', () => {
  // The conversation log is this person's: it does not outlive their sign-in.
  sessionStorage.removeItem(STORAGE_KEY);
});

void showIdentity();
if (session.history.length) restoreHistory();
else showGreeting();
applyChrome(uiLang);
saveSession();
connectEvents();
scrollToEnd();
