// Light, dark, or as the system says. The choice is remembered; the page and the charts
// follow the effective theme.

export type ThemeChoice = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'smena.theme';

function stored(): ThemeChoice {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return v === 'light' || v === 'dark' ? v : 'system';
  } catch {
    return 'system';
  }
}

function systemDark(): boolean {
  return globalThis.matchMedia?.('(prefers-color-scheme: dark)').matches ?? false;
}

export const theme = $state({ choice: stored(), systemDark: systemDark() });

/** The theme in force. */
export function effectiveTheme(): Theme {
  return theme.choice === 'system' ? (theme.systemDark ? 'dark' : 'light') : theme.choice;
}

/** Sets the theme and remembers it. */
export function setTheme(choice: ThemeChoice): void {
  theme.choice = choice;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, choice);
  } catch {
    /* storage unavailable: the choice lasts for this session */
  }
}

/** Follows the system's setting while the choice is "system". */
export function watchSystemTheme(): () => void {
  const mq = globalThis.matchMedia?.('(prefers-color-scheme: dark)');
  if (!mq) return () => {};
  const on = () => (theme.systemDark = mq.matches);
  mq.addEventListener('change', on);
  return () => mq.removeEventListener('change', on);
}
