/**
 * Writes eval/redaction/corpus.jsonl: labelled EN/FR messages carrying secrets (each with the exact
 * secret strings that must not survive redaction) and ordinary messages that must be left alone.
 * Secrets are generated with valid checksums (Luhn, IBAN mod 97, NIR key) from a fixed seed, so the
 * file is reproducible: `npx tsx scripts/gen-redaction-corpus.ts`.
 */
import { writeFileSync } from 'node:fs';
import { electronicFormatIBAN, isValidIBAN } from 'ibantools';

let seed = 15;
const rand = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
const chars = (n: number, set: string): string => Array.from({ length: n }, () => pick([...set])).join('');
const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const HEX = '0123456789abcdef';
const B64URL = `${ALNUM}-_`;

interface Entry { id: string; lang: 'en' | 'fr'; kind: string; text: string; secrets: string[] }
const out: Entry[] = [];
const add = (lang: 'en' | 'fr', kind: string, text: string, secrets: string[]) =>
  out.push({ id: `r${String(out.length + 1).padStart(4, '0')}`, lang, kind, text, secrets });

// Passwords people actually pick: a word, a year or number, a symbol, a few letters.
const WORDS = ['Soleil', 'Lune', 'Mars', 'Venus', 'Winter', 'Summer', 'Printemps', 'Chaton', 'Paris', 'Bretagne', 'Dragon', 'Tigre', 'Hiver', 'Azur', 'Marine', 'Falcon', 'Orion', 'Pomme', 'Cerise', 'Rocket'];
const strong = () => `${pick(WORDS)}${int(1970, 2030)}${pick([...'!#$%&*?@+=.'])}${chars(int(1, 3), 'abcdefghijkmnpqrstuvwxyz')}`;
const weak = () => pick(['hunter22', 'azerty123', 'bonjour75', 'motdepasse1', 'qwerty2024', 'letmein99', 'chocolat', 'doudou2010', 'p4ssw0rd', 'iloveyou3']);

const PW_EN = [
  'Password is {p}', 'my password is {p}', 'My password is: {p}', 'the password is {p}', 'password: {p}', 'password = {p}',
  'pwd={p}', 'pw: {p}', 'my login is jdupont and password is {p}', 'my new password {p} doesnt work', 'temp password is {p}',
  'temporary password: {p}', 'the wifi password is {p} right?', 'the password for the VPN is {p}', 'the password for my account is {p}',
  'I changed my password to {p} but Outlook still asks', 'password was changed to {p} yesterday', 'my password has been reset to {p}',
  'my current password {p} is rejected', 'I typed {p} as my password and it fails', '{p} is my password, it does not work',
  'user jdupont pass: {p}', 'login: m.martin / password: {p}', 'can you check my password {p} please', 'passcode is {p}',
  'here is my password {p}', 'the admin password is {p}', 'Outlook refuses it, my password is {p} since Monday',
  'my password, it is {p}', 'password is "{p}"', "password is '{p}'", 'new password: {p} (just set it)',
];
const PW_FR = [
  'voici mon mdp {p}', 'mon mot de passe est {p}', 'mot de passe : {p}', 'mdp: {p}', 'mdp = {p}', "mon mdp c'est {p}",
  'mon nouveau mot de passe est {p}', 'le mot de passe du wifi est {p}', 'mot de passe provisoire : {p}', 'mot de passe temporaire {p}',
  "j'ai mis {p} comme mot de passe et ça ne marche pas", 'mon mot de passe a été changé en {p}', 'le mdp pour le VPN est {p}',
  'identifiant jdupont, mot de passe {p}', 'mon ancien mot de passe était {p}', 'mdp actuel {p} refusé', 'voici le mot de passe : « {p} »',
  "c'est {p} mon mot de passe", 'mon mot de passe, c’est {p}', 'mot-de-passe: {p}', 'le code secret est {p}', 'Mot de passe = {p}',
];
for (let i = 0; i < 64; i++) {
  const tpl = PW_EN[i % PW_EN.length]!;
  const p = i % 5 === 4 && /is |: |= /.test(tpl) ? weak() : strong();
  add('en', 'password', tpl.replace('{p}', p), [p]);
}
for (let i = 0; i < 56; i++) {
  const tpl = PW_FR[i % PW_FR.length]!;
  const p = i % 5 === 4 && /est |: |= /.test(tpl) ? weak() : strong();
  add('fr', 'password', tpl.replace('{p}', p), [p]);
}
// Resolution notes from technicians.
const NOTES = [
  'Reset the account. temp password is {p} — user must change it at next sign-in.',
  'Unlocked in AD, new password given by phone: {p}',
  'Compte déverrouillé, mot de passe provisoire : {p}',
  'Réinitialisé, mdp temporaire {p} communiqué par téléphone',
  'Recreated the mailbox profile; initial password {p}',
];
for (let i = 0; i < 15; i++) {
  const tpl = NOTES[i % NOTES.length]!;
  const p = strong();
  add(/mdp|mot de passe/.test(tpl) ? 'fr' : 'en', 'password', tpl.replace('{p}', p), [p]);
}

// Cards: Visa, Mastercard (5x and 2x), Amex, Discover; any separator.
function luhnComplete(prefix: string, length: number): string {
  let body = prefix + chars(length - prefix.length - 1, '0123456789');
  for (let d = 0; d < 10; d++) {
    const n = body + d;
    let sum = 0;
    for (let i = 0; i < n.length; i++) {
      let v = Number(n[n.length - 1 - i]);
      if (i % 2 === 1) { v *= 2; if (v > 9) v -= 9; }
      sum += v;
    }
    if (sum % 10 === 0) return n;
  }
  return body;
}
const groupDigits = (d: string, sep: string): string => (d.length === 15 ? [d.slice(0, 4), d.slice(4, 10), d.slice(10)] : d.match(/.{1,4}/g)!).join(sep);
const CARD_EN = ['my card {c} was charged twice', 'card number {c}', 'corporate card: {c} exp 12/27', 'I paid with {c} for the licence', 'the card {c} got declined'];
const CARD_FR = ['ma carte {c} a été débitée deux fois', 'numéro de carte {c}', 'carte affaires : {c}', "j'ai payé avec la carte {c}", 'CB {c} refusée'];
for (let i = 0; i < 40; i++) {
  const [prefix, len] = pick([['4', 16], ['51', 16], ['55', 16], ['22', 16], ['34', 15], ['37', 15], ['6011', 16], ['4', 13]] as const);
  const d = luhnComplete(prefix, len);
  const c = groupDigits(d, pick([' ', '-', '.', '', ' - ', '/', '_']));
  const fr = i % 2 === 1;
  add(fr ? 'fr' : 'en', 'card_number', pick(fr ? CARD_FR : CARD_EN).replace('{c}', c), [c]);
}

// IBANs: several countries, valid checksum, any case and separator.
const BBAN: Record<string, () => string> = {
  FR: () => `${chars(10, '0123456789')}${chars(11, '0123456789')}${chars(2, '0123456789')}`,
  DE: () => chars(18, '0123456789'),
  GB: () => `${chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${chars(14, '0123456789')}`,
  NL: () => `${chars(4, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${chars(10, '0123456789')}`,
  IT: () => `${chars(1, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ')}${chars(22, '0123456789')}`,
  CH: () => chars(17, '0123456789'),
  LU: () => chars(16, '0123456789'),
};
function makeIban(country: string): string | undefined {
  for (let tries = 0; tries < 200; tries++) {
    const bban = BBAN[country]!();
    const n = `${bban}${country}00`.replace(/[A-Z]/g, (ch) => String(ch.charCodeAt(0) - 55));
    let r = 0;
    for (const digit of n) r = (r * 10 + Number(digit)) % 97;
    const iban = `${country}${String(98 - r).padStart(2, '0')}${bban}`;
    if (isValidIBAN(electronicFormatIBAN(iban) ?? '')) return iban;
  }
  return undefined;
}
const IBAN_EN = ['please refund to IBAN {i}', 'my IBAN is {i}', 'bank account {i} for the expense claim', 'iban: {i} thanks'];
const IBAN_FR = ['IBAN {i} pour le remboursement', 'mon iban : {i}', 'virement sur {i} svp', 'RIB / IBAN {i}'];
for (let i = 0; i < 36; i++) {
  const iban = makeIban(pick(Object.keys(BBAN)));
  if (!iban) continue;
  let shown = iban.match(/.{1,4}/g)!.join(pick([' ', '-', '', '.', ' ']));
  if (i % 3 === 0) shown = shown.toLowerCase();
  const fr = i % 2 === 0;
  add(fr ? 'fr' : 'en', 'iban', pick(fr ? IBAN_FR : IBAN_EN).replace('{i}', shown), [shown]);
}
add('fr', 'iban', 'fr76 3000 6000 0112 3456 7890 189', ['fr76 3000 6000 0112 3456 7890 189']);
add('en', 'iban', 'GB82-WEST-1234-5698-7654-32', ['GB82-WEST-1234-5698-7654-32']);

// French NIR with its key.
function makeNir(): string {
  const dept = pick(['75', '69', '13', '33', '2A', '2B', '59', '35', '78']);
  const head = `${int(1, 2)}${String(int(40, 99)).padStart(2, '0')}${String(int(1, 12)).padStart(2, '0')}`;
  const tail = `${chars(3, '0123456789')}${chars(3, '0123456789')}`;
  let n = BigInt(`${head}${dept === '2A' ? '19' : dept === '2B' ? '18' : dept}${tail}`);
  if (dept === '2A') n -= 1_000_000n;
  if (dept === '2B') n -= 2_000_000n;
  const key = String(97n - (n % 97n)).padStart(2, '0');
  return `${head}${dept}${tail}${key}`;
}
const NIR_T = ['mon numéro de sécu est {n}', 'NIR {n}', 'numéro de sécurité sociale : {n} pour la mutuelle', 'my French social security number is {n}', 'carte vitale {n}'];
for (let i = 0; i < 22; i++) {
  const nir = makeNir();
  const shown = i % 2 === 0 ? `${nir[0]} ${nir.slice(1, 3)} ${nir.slice(3, 5)} ${nir.slice(5, 7)} ${nir.slice(7, 10)} ${nir.slice(10, 13)} ${nir.slice(13)}` : i % 3 === 0 ? nir : `${nir.slice(0, 13)} ${nir.slice(13)}`;
  const tpl = pick(NIR_T);
  add(/my /.test(tpl) ? 'en' : 'fr', 'national_id', tpl.replace('{n}', shown), [shown]);
}
add('fr', 'national_id', '1 85 05 78 006 084 36', ['1 85 05 78 006 084 36']);

// Vendor keys and tokens.
const VENDOR: Array<[string, () => string]> = [
  ['openai', () => `sk-${chars(48, ALNUM)}`],
  ['openai', () => `sk-proj-${chars(64, B64URL)}`],
  ['anthropic', () => `sk-ant-api03-${chars(80, B64URL)}`],
  ['github', () => `ghp_${chars(36, ALNUM)}`],
  ['github', () => `github_pat_${chars(22, ALNUM)}_${chars(59, ALNUM)}`],
  ['github', () => `gho_${chars(36, ALNUM)}`],
  ['slack', () => `xoxb-${chars(12, '0123456789')}-${chars(13, '0123456789')}-${chars(24, ALNUM)}`],
  ['slack', () => `xoxp-${chars(12, '0123456789')}-${chars(12, '0123456789')}-${chars(13, '0123456789')}-${chars(32, HEX)}`],
  ['slack', () => `https://hooks.slack.com/services/T${chars(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}/B${chars(8, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789')}/${chars(24, ALNUM)}`],
  ['aws', () => `AKIA${chars(16, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567')}`],
  ['google', () => `AIza${chars(35, B64URL)}`],
  ['stripe', () => `sk_live_${chars(24, ALNUM)}`],
  ['stripe', () => `rk_test_${chars(24, ALNUM)}`],
  ['gitlab', () => `glpat-${chars(20, B64URL)}`],
  ['npm', () => `npm_${chars(36, ALNUM)}`],
  ['sendgrid', () => `SG.${chars(22, B64URL)}.${chars(43, B64URL)}`],
];
const KEY_EN = ['here is the key {k}', 'I pasted {k} in the config and it fails', 'token {k} stopped working', 'the script uses {k}', 'our integration key: {k}'];
const KEY_FR = ['voici la clé {k}', "j'ai collé {k} dans la config", 'le jeton {k} ne marche plus', 'le script utilise {k}', 'clé de notre intégration : {k}'];
for (let i = 0; i < 52; i++) {
  const [vendor, make] = VENDOR[i % VENDOR.length]!;
  const k = make();
  const fr = i % 2 === 1;
  add(fr ? 'fr' : 'en', `key:${vendor}`, pick(fr ? KEY_FR : KEY_EN).replace('{k}', k), [k]);
}
for (let i = 0; i < 6; i++) {
  const secret = chars(40, `${ALNUM}/+`);
  add('en', 'key:aws', `aws_secret_access_key = ${secret}`, [secret]);
}

// "api key is <hex>" and friends.
const PHRASE = ['api key is {k}', 'API key: {k}', 'apikey={k}', 'the access token is {k}', 'client_secret={k}', 'my api token {k} expired?', 'clé API : {k}', "la clé d'API est {k}", 'jeton d’accès {k}', 'secret key = {k}', 'licence key is {k}'];
for (let i = 0; i < 22; i++) {
  const k = i % 2 === 0 ? chars(32, HEX) : chars(28, ALNUM);
  const tpl = PHRASE[i % PHRASE.length]!;
  add(/clé|jeton/.test(tpl) ? 'fr' : 'en', 'api_key', tpl.replace('{k}', k), [k]);
}

// JWTs and bearer tokens.
const b64 = (s: string) => Buffer.from(s).toString('base64url');
for (let i = 0; i < 14; i++) {
  const jwt = `${b64(JSON.stringify({ alg: pick(['HS256', 'RS256']), typ: 'JWT' }))}.${b64(JSON.stringify({ sub: String(int(1000, 99999)), name: pick(WORDS), iat: 1700000000 + int(0, 9999999) }))}.${chars(43, B64URL)}`;
  const tpl = pick(['the portal returns {j}', 'Authorization header has {j}', 'voici le token : {j}', 'le jeton {j} est refusé', 'cookie value {j}']);
  add(/voici|jeton/.test(tpl) ? 'fr' : 'en', 'jwt', tpl.replace('{j}', jwt), [jwt]);
}
for (let i = 0; i < 6; i++) {
  const t = chars(40, `${ALNUM}._-`);
  add('en', 'bearer_token', `curl -H "Authorization: Bearer ${t}" https://api.example.com`, [t]);
}

// PEM private keys.
for (let i = 0; i < 12; i++) {
  const type = pick(['RSA PRIVATE KEY', 'PRIVATE KEY', 'EC PRIVATE KEY', 'OPENSSH PRIVATE KEY', 'ENCRYPTED PRIVATE KEY']);
  const body = Array.from({ length: int(2, 6) }, () => chars(64, `${ALNUM}+/`)).join('\n');
  const intro = pick(['here is my key:\n', 'voici la clé privée :\n', '', 'cert fails, key below\n']);
  add(/voici/.test(intro) ? 'fr' : 'en', 'private_key', `${intro}-----BEGIN ${type}-----\n${body}\n-----END ${type}-----`, [body.split('\n')[0]!]);
}

// Connection strings with passwords.
for (let i = 0; i < 22; i++) {
  const pw = pick([strong(), chars(16, ALNUM), weak()]);
  const host = pick(['db.internal', '10.0.4.12', 'sql01.corp.local', 'mongo.example.net']);
  const tpl = pick([
    `postgres://app:${pw}@${host}:5432/helpdesk`,
    `mongodb+srv://svc_backup:${pw}@${host}/prod?retryWrites=true`,
    `Server=${host};Database=crm;User Id=sa;Password=${pw};`,
    `mysql://root:${pw}@${host}/erp`,
    `Data Source=${host};Initial Catalog=hr;User ID=report;Pwd=${pw}`,
    `redis://default:${pw}@${host}:6379`,
    `DefaultEndpointsProtocol=https;AccountName=corpstore;AccountKey=${pw}${chars(30, ALNUM)}==;EndpointSuffix=core.windows.net`,
  ]);
  const secret = tpl.includes('AccountKey=') ? /AccountKey=([^;]+)/.exec(tpl)![1]! : pw;
  const intro = pick(['the app fails with ', 'la chaîne de connexion est ', 'connection string: ', '']);
  add(/chaîne/.test(intro) ? 'fr' : 'en', 'connection_string', `${intro}${tpl}`, [secret]);
}

// Hard negatives: ordinary messages that mention passwords, cards, keys, numbers. Nothing to redact.
const NEG = [
  'password reset', 'I forgot my password', 'my password is expired', 'my password is not accepted on the VPN', 'my card reader does not work',
  'the card reader on my laptop is broken', 'reset my voicemail pin on my desk phone', 'mot de passe oublié', 'mon mot de passe est bloqué depuis ce matin',
  'how do I change my password?', 'the password field is greyed out', 'password: reset link not received', 'where do I find the API key settings?',
  'my security key (YubiKey) is not recognised', 'the key is under the keyboard', 'token expired error in Teams', 'status of HD-000123',
  'error 0x80070005 when updating', 'AADSTS50126 when signing in', 'order 1234 5678 9012 3456', 'call me on +33 6 12 34 56 78', 'my phone is 06 12 34 56 78',
  'ticket INC0012345 is still open', 'my PC is PC-04521', 'printer PRN-0421 jams', 'le lecteur de carte ne marche pas', 'ma carte réseau ne fonctionne plus',
  'ma clé USB n’est pas reconnue', 'je dois renouveler mon certificat', 'comment changer mon mot de passe Windows ?', 'le mot de passe est trop court',
  'password must be 12 characters, is that right?', 'my password was reset yesterday', 'can you reset my password please', 'my badge number is 004512',
  'room B2-014 projector', 'the wifi password is on the poster?', 'what is the password policy', 'I need a new SIM card', 'invoice 2024-000981 not paid',
  'my IBAN changed, how do I update it in the HR portal?', 'la clé de licence Office est expirée', 'mon jeton MFA ne marche plus', 'the serial number is 5CG1234XYZ',
  'version 10.0.19045.3803 of Windows', 'the meeting is at 14:30 on 12/03/2026', 'my employee id is 123456', 'SharePoint site https://corp.sharepoint.com/sites/it',
  'I typed the wrong password three times', 'mon mot de passe a expiré hier', 'mdp oublié pour le portail RH', 'ma carte bleue pro est bloquée', 'ma carte vitale est perdue',
  'Bearer token issue in the API', 'the secret santa list', 'please find my pass for the car park', 'GUID 3f2504e0-4f89-11d3-9a0c-0305e82c3301 in the error',
  'commit 9fceb02d0ae598e95dc970b74767f19372d61af8 broke the build',
];
for (const text of NEG) add(/[àâçéèêëîïôûù]|\b(?:mon|ma|le|la|je|mdp)\b/i.test(text) ? 'fr' : 'en', 'none', text, []);

writeFileSync(new URL('../eval/redaction/corpus.jsonl', import.meta.url), out.map((e) => JSON.stringify(e)).join('\n') + '\n');
console.log(`${out.length} messages, ${out.filter((e) => e.secrets.length).length} with secrets`);
