import { describe, expect, it } from 'vitest';
import { nonItRoute } from '../../../src/engine/dialogue/routes.js';

describe('requests that are not IT problems', () => {
  it.each([
    ['can you order me a new laptop', 'purchase'],
    ['need a quote for 10 docking stations for the new team', 'purchase'],
    ['je voudrais un deuxième écran pour mon bureau', 'purchase'],
    ['commander du toner pour l\'imprimante du 1er étage', 'purchase'],
    ['how many days of annual leave do i have left', 'hr'],
    ['comment déclarer mes frais kilométriques', 'hr'],
    ['ma fiche de paie est fausse', 'hr'],
    ['my office chair is broken, who do i call', 'facilities'],
    ['le chauffage ne marche pas dans la salle 3', 'facilities'],
    ["what's the weather tomorrow", 'off_topic'],
    ['tell me a joke', 'off_topic'],
    ['réserver un billet de train pour bordeaux jeudi', 'off_topic'],
  ])('%s → %s', (text, route) => {
    expect(nonItRoute(text)?.route).toBe(route);
  });

  it.each([
    'I got a new phone and need to move Authenticator',
    'how do I install software on my laptop',
    'need a licence for power bi pro',
    'my printer is not printing',
    "l'appli interne de congés affiche une page blanche quand je valide",
    'our timesheet app throws "error 500" when i submit my hours',
    'my account expires on friday but my contract was extended',
    'ouvrir le port 443 entrant sur le firewall pour le serveur de recette',
    'the ethernet port in the wall under my desk is dead',
  ])('an IT problem is not routed away: %s', (text) => {
    expect(nonItRoute(text)).toBeUndefined();
  });
});
