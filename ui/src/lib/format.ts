// Formatting of times and sizes for the current language. Pure functions, unit-tested.
import { translate, type Locale } from './i18n.svelte';

// Making a formatter costs far more than using one (WebKit: a list of 40 rows spent most of
// its formatting time making them), so each language and zone gets one, made once.
const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(locale: Locale, timeZone: string | undefined): Intl.DateTimeFormat {
  const key = `${locale}|${timeZone ?? ''}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', {
      day: '2-digit',
      month: '2-digit',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hour12: false,
      timeZone,
    });
    formatters.set(key, f);
  }
  return f;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** A calendar day (YYYY-MM-DD) as its weekday, short ("пн", "Mon"), or with the day's number
 * too ("пн, 7", "Mon 7"); one formatter per language and form, as for times. */
export function dayLabel(day: string, locale: Locale, withNumber = false): string {
  const key = `${locale}|${withNumber}`;
  let f = dayFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', withNumber ? { weekday: 'short', day: 'numeric', timeZone: 'UTC' } : { weekday: 'short', timeZone: 'UTC' });
    dayFormats.set(key, f);
  }
  return f.format(new Date(`${day}T12:00:00Z`));
}

/** A UTC instant (RFC 3339) as local date and time, e.g. "28.11.2026, 10:15". */
export function dateTime(iso: string | null | undefined, locale: Locale, timeZone?: string): string {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return '—';
  return formatter(locale, timeZone).format(d);
}

/** Time left until `iso` (negative when past), in compact hours and minutes: "3h 05m", "-1d 2h". */
export function timeLeft(iso: string | null | undefined, now: Date): { text: string; overdue: boolean } {
  if (!iso) return { text: '—', overdue: false };
  return minutesLeft(Math.round((new Date(iso).getTime() - now.getTime()) / 60000));
}

/** A stopped SLA clock's support time left (negative when it stopped past the target), as [`timeLeft`] writes it. */
export function pausedLeft(seconds: number): { text: string; overdue: boolean } {
  return minutesLeft(Math.round(seconds / 60));
}

function minutesLeft(minutes: number): { text: string; overdue: boolean } {
  const overdue = minutes < 0;
  const m = Math.abs(minutes);
  const days = Math.floor(m / 1440);
  const hours = Math.floor((m % 1440) / 60);
  const mins = m % 60;
  const body = days > 0 ? `${days}d ${hours}h` : `${hours}h ${String(mins).padStart(2, '0')}m`;
  return { text: overdue ? `-${body}` : body, overdue };
}

/** Bytes as B / KiB / MiB / GiB in the current language. */
export function size(bytes: number, locale: Locale): string {
  const units = ['size.bytes', 'size.kib', 'size.mib', 'size.gib'] as const;
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  const n = i === 0 ? String(v) : v.toFixed(1);
  return translate(locale, units[i], { n: locale === 'ru' ? n.replace('.', ',') : n });
}

/** Seconds as signed hours and minutes: "3:05", "-0:30". */
export function hoursMinutes(seconds: number): string {
  const sign = seconds < 0 ? '-' : '';
  const m = Math.floor(Math.abs(seconds) / 60);
  return `${sign}${Math.floor(m / 60)}:${String(m % 60).padStart(2, '0')}`;
}
