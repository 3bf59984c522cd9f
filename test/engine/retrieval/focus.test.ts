import { describe, expect, it } from 'vitest';
import { focusQuery } from '../../../src/engine/retrieval/focus.js';

describe('focusQuery', () => {
  it('leaves ordinary messages exactly as they are', () => {
    for (const q of ['vpn error 809', 'my screens stay black on the dock, any idea?', "j'ai oublié mon mot de passe"]) expect(focusQuery(q)).toBe(q);
  });

  it('keeps the problem and the error of a pasted log, not the frames, timestamps or story', () => {
    const post = [
      'Hi all,',
      '',
      'I have been using this laptop for two years without trouble and last week, after the big update that came on Tuesday, something changed. My manager told me to ask here first.',
      'When I try to connect to the VPN it spins for a while and then I get an error.',
      '2026-11-30 09:12:44 [INFO] Starting tunnel to vpn.example.com',
      '2026-11-30 09:12:49 [ERROR] The remote connection was denied (error 691) C:\\Program Files\\Vpn\\client.exe',
      '   at Vpn.Client.Connect(Tunnel t)',
      '   at Vpn.Client.Main()',
      'Thanks a lot, Bob',
    ].join('\n');
    const focused = focusQuery(post);
    expect(focused).toContain('When I try to connect to the VPN');
    expect(focused).toContain('The remote connection was denied (error 691)');
    expect(focused).not.toMatch(/Vpn\.Client|09:12|Program Files|manager|Thanks|INFO|Starting tunnel/);
  });

  it('keeps the statement that follows a greeting in French, and quoted errors', () => {
    const msg =
      "Bonjour, depuis ce matin je n'arrive plus à imprimer sur l'imprimante du 2e étage. J'ai redémarré le PC, rien ne change. Le message dit « Erreur : l'imprimante ne répond pas ». Le voyant clignote orange et l'écran affiche un code. J'ai besoin de sortir des contrats pour cet après-midi, c'est urgent, mes collègues attendent aussi. Pouvez-vous m'aider rapidement ? Merci d'avance, Marie";
    const focused = focusQuery(msg);
    expect(focused.startsWith("depuis ce matin je n'arrive plus à imprimer")).toBe(true);
    expect(focused).toContain("Erreur : l'imprimante ne répond pas");
    expect(focused).not.toContain('Merci');
    expect(focused.split(/\s+/).length).toBeLessThanOrEqual(70);
  });

  it("keeps a short first line as the message's subject, even without a word of failure", () => {
    const post = [
      'Commit shown as "Unverified" on the website',
      'For some reason every time I want to push or pull to or from my repository I need to type my credentials again.',
      'I have tried several things that I found in other threads over the last weeks and some of them looked promising at first.',
      'Is there some way to save them once for all?',
    ].join('\n');
    const focused = focusQuery(post);
    expect(focused.startsWith('Commit shown as "Unverified" on the website')).toBe(true);
    expect(focused).toContain('Is there some way to save them');
    // A greeting or a log line on the first line is not a subject.
    expect(focusQuery(['Hello everyone', ...post.split('\n').slice(1)].join('\n'))).not.toContain('Hello');
    expect(focusQuery(['2026-11-30 09:12:44 [INFO] Starting sync', ...post.split('\n').slice(1)].join('\n'))).not.toContain('Starting sync');
  });
});
