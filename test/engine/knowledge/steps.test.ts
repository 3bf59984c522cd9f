import { describe, expect, it } from 'vitest';
import { splitSections } from '../../../src/engine/knowledge/markdown.js';
import { extractSteps } from '../../../src/engine/knowledge/steps.js';

const steps = (md: string) => extractSteps(splitSections(md));

describe('extractSteps', () => {
  it('takes the numbered list under Resolution and keeps platform sections as variants', () => {
    const r = steps(
      'Intro.\n\n## Symptoms\n1. Not this list.\n\n## Resolution\n1. Open **Settings**.\n2. Click [Reset](https://aka.ms/sspr).\n\n## On macOS\n1. Open System Settings.\n\n## On your phone\n- Open the app.\n',
    );
    expect(r.steps).toEqual(['Open **Settings**.', 'Click [Reset](https://aka.ms/sspr).']);
    expect(r.variants).toEqual([
      { heading: 'On macOS', steps: ['Open System Settings.'] },
      { heading: 'On your phone', steps: ['Open the app.'] },
    ]);
  });

  it('understands French headings, with or without accents', () => {
    expect(steps('## Résolution\n1. Un.\n2. Deux.\n\n## Sur macOS\n1. Mac.').steps).toEqual(['Un.', 'Deux.']);
    expect(steps('## Resolution des problemes\n1. Un.').steps).toEqual(['Un.']);
    expect(steps('## Sur votre téléphone\n1. Tel.').variants).toEqual([{ heading: 'Sur votre téléphone', steps: ['Tel.'] }]);
  });

  it('falls back to the first numbered list outside platform sections', () => {
    expect(steps('## On macOS\n1. Mac.\n\n## Fix it\nText.\n\n## Details\n1. First.\n2. Second.').steps).toEqual(['First.', 'Second.']);
    expect(steps('No list here.').steps).toEqual([]);
  });
});
