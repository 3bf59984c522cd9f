import { describe, expect, it } from 'vitest';
import type { ArticleView } from '../../../src/engine/ports/knowledge.js';
import { conflictsWith, mainStepsForAnother, sectionFor, statedPlatform } from '../../../src/engine/dialogue/platform.js';

const article = (title: string, steps: string[], variants: ArticleView['variants']): ArticleView => ({ id: 'a', lang: 'en', title, steps, tags: [], variants });

describe('platforms named by users and by headings', () => {
  it('the platform named last wins', () => {
    expect(statedPlatform('my printer is not printing and on my Mac?')).toBe('mac');
    expect(statedPlatform('Outlook on my laptop')).toBe('computer');
    expect(statedPlatform('et sur mon iPhone ?')).toBe('iphone');
    expect(statedPlatform('my printer is not printing')).toBeUndefined();
  });

  it('sections are found from their headings, in English and French', () => {
    const printer = article('Printer not printing', ['Open Printers & scanners in Windows', 'Cancel the job', 'Restart Windows'], [
      { heading: 'On macOS', steps: ['Open Printer Queue', 'Delete jobs', 'Resume'] },
      { heading: 'Sur Android', steps: ['Ouvrez Mopria'] },
    ]);
    expect(sectionFor(printer, 'mac')?.heading).toBe('On macOS');
    expect(sectionFor(printer, 'android')?.heading).toBe('Sur Android');
    expect(sectionFor(printer, 'phone')?.heading).toBe('Sur Android');
    expect(sectionFor(printer, 'computer')).toBeUndefined();
    expect(mainStepsForAnother(printer, 'mac')).toBe(true);
    expect(mainStepsForAnother(printer, 'windows')).toBe(false);
  });

  it('an article for another kind of device conflicts unless it has a section for the user', () => {
    const phone = article('Set up work email and Teams on your phone', ['Install Outlook'], [{ heading: 'On your phone', steps: ['Update'] }]);
    expect(conflictsWith(phone, 'computer')).toBe(true);
    expect(conflictsWith(phone, 'iphone')).toBe(false);
    expect(conflictsWith(phone, undefined)).toBe(false);
    const mac = article('Mac keychain prompt after a password change', ['Open Keychain Access'], []);
    expect(conflictsWith(mac, 'mac')).toBe(false);
    expect(conflictsWith(mac, 'computer')).toBe(false);
  });
});
