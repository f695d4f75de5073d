import { describe, expect, it } from 'vitest';
import { catalogue, initialLocale, translate } from '../src/lib/i18n.svelte';

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('the RU/EN catalogue', () => {
  it('has the same keys in both languages', () => {
    expect(Object.keys(catalogue.ru).sort()).toEqual(Object.keys(catalogue.en).sort());
  });

  it('has the same placeholders in both languages', () => {
    for (const key of Object.keys(catalogue.en) as (keyof typeof catalogue.en)[]) {
      expect(placeholders(catalogue.ru[key]), key).toEqual(placeholders(catalogue.en[key]));
    }
  });

  it('has no empty text and no untranslated Russian text', () => {
    for (const [key, text] of Object.entries(catalogue.ru)) {
      expect(text.trim(), key).not.toBe('');
    }
    // Every Russian string that has letters beyond the shared ones (Telegram, RU/EN, codes) uses Cyrillic.
    const shared = new Set(['sync.open', 'sync.kind.rt', 'sync.kind.simpleone', 'dash.sla', 'channel.telegram', 'history.change', 'history.set', 'line.short', 'status.keys', 'skill.linux', 'skill.microsoft']);
    for (const [key, text] of Object.entries(catalogue.ru)) {
      if (shared.has(key) || !/[A-Za-z]{3,}/.test(text.replace(/\{\w+\}/g, ''))) continue;
      expect(/[А-Яа-яЁё]/.test(text), `${key}: ${text}`).toBe(true);
    }
  });

  it('names every status, priority, level, channel and closure code', () => {
    const needed = [
      ...['registered', 'assigned', 'in-progress', 'completed', 'closed', 'rejected-by-user', 'information-needed', 'external-processing'].map((s) => `status.${s}`),
      ...['critical', 'high', 'medium', 'low', 'planning'].map((p) => `priority.${p}`),
      ...['very-high', 'high', 'medium', 'low', 'none'].flatMap((l) => [`urgency.${l}`, `impact.${l}`]),
      ...['email', 'portal', 'phone', 'monitoring', 'telegram'].map((c) => `channel.${c}`),
      ...['resolved', 'workaround', 'duplicate', 'incorrect-ticket', 'withdrawn'].map((c) => `closure.${c}`),
    ];
    for (const key of needed) expect(catalogue.en, key).toHaveProperty(key);
  });
});

describe('translate', () => {
  it('fills placeholders', () => {
    expect(translate('en', 'queue.shown', { count: 12 })).toBe('12 tickets');
    expect(translate('ru', 'line.n', { n: 2 })).toBe('2-я линия');
  });

  it('leaves a missing placeholder visible rather than inventing a value', () => {
    expect(translate('en', 'queue.shown')).toBe('{count} tickets');
  });
});

describe('initialLocale', () => {
  it('prefers the stored choice, then the system language', () => {
    expect(initialLocale('en', 'ru-RU')).toBe('en');
    expect(initialLocale(null, 'ru-RU')).toBe('ru');
    expect(initialLocale(null, 'en-US')).toBe('en');
    expect(initialLocale('de', undefined)).toBe('en');
  });
});
