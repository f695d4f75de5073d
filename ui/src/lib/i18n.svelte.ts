// The RU/EN catalogue. Every string a user sees comes from here (the texts live in
// ./i18n/en.ts and ./i18n/ru.ts); tests check that both languages have the same keys and
// the same {placeholders}.

import { en, type Key } from './i18n/en';
import { ru } from './i18n/ru';

export type { Key };

export type Locale = 'en' | 'ru';

export const catalogue = { en, ru } as const;

const STORAGE_KEY = 'smena.locale';

/** The language from the user's earlier choice, else the system locale. */
export function initialLocale(stored: string | null, systemLanguage: string | undefined): Locale {
  if (stored === 'ru' || stored === 'en') return stored;
  return systemLanguage?.toLowerCase().startsWith('ru') ? 'ru' : 'en';
}

function readStored(): string | null {
  try {
    return globalThis.localStorage?.getItem(STORAGE_KEY) ?? null;
  } catch {
    return null;
  }
}

export const i18n = $state({
  locale: initialLocale(readStored(), globalThis.navigator?.language),
});

/** Switches the language and remembers the choice. */
export function setLocale(locale: Locale): void {
  i18n.locale = locale;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, locale);
  } catch {
    /* storage unavailable: the choice lasts for this session */
  }
  if (globalThis.document) document.documentElement.lang = locale;
}

/** Translates `key` into `locale`, filling `{placeholders}` from `params`. */
export function translate(locale: Locale, key: Key, params: Record<string, string | number> = {}): string {
  const text: string = catalogue[locale][key] ?? catalogue.en[key] ?? key;
  // Most texts have no parameters; the month grid asks for a thousand at once.
  if (!text.includes('{')) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Translates into the current language (reactive inside components). */
export function t(key: Key, params: Record<string, string | number> = {}): string {
  return translate(i18n.locale, key, params);
}
