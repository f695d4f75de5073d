// Pure helpers for the roster views: what a grid cell shows, a shift's gaps in words, a
// rule breach in the user's language, the lines a person belongs to, the week around a day.
import type { Breach, RosterCell, RosterMonth, RosterPerson, ShiftCoverage } from './bindings/roster';
import type { Role } from './bindings/domain';
import { translate, type Locale } from './i18n.svelte';

/** A shift code's letter in the user's language (a template of the lead's own shows as it is). */
export function codeLabel(code: string, locale: Locale): string {
  const key = `roster.code.${code}`;
  const known = translate(locale, key as never);
  return known === key ? code : known;
}

/** The letter a cell shows: the absence, a holiday, the shift, or a dot for a day off. */
export function cellLabel(cell: RosterCell, locale: Locale): string {
  if (cell.absence) return translate(locale, `roster.abs.${cell.absence}.short`);
  if (cell.holiday) return translate(locale, 'roster.holiday.short');
  if (!cell.code) return '·';
  return codeLabel(cell.code, locale);
}

// One number format per language: `toLocaleString` with a locale makes a new one each call,
// which the month grid did twice per person.
const numberFormats = new Map<Locale, Intl.NumberFormat>();

/** Hours to one decimal, in the user's way of writing numbers. */
export function hours(h: number, locale: Locale): string {
  let f = numberFormats.get(locale);
  if (!f) {
    f = new Intl.NumberFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { maximumFractionDigits: 1 });
    numberFormats.set(locale, f);
  }
  return f.format(Math.round(h * 10) / 10);
}

/** The group a person's row sits in: lines 1–3, then the lead and deputy. */
export function group(role: Role): 1 | 2 | 3 | 4 {
  return role === 'line-1' ? 1 : role === 'line-2' ? 2 : role === 'line-3' ? 3 : 4;
}

/** People grouped by line, in the core's order. */
export function groups(people: RosterPerson[]): { group: 1 | 2 | 3 | 4; people: RosterPerson[] }[] {
  const out: { group: 1 | 2 | 3 | 4; people: RosterPerson[] }[] = [];
  for (const p of people) {
    const g = group(p.role);
    const last = out[out.length - 1];
    if (last && last.group === g) last.people.push(p);
    else out.push({ group: g, people: [p] });
  }
  return out;
}

/** What a shift lacks, in words: "short 1 × L1, 1 × L2; no one with Networks". */
export function gapText(c: ShiftCoverage, locale: Locale): string {
  const parts: string[] = [];
  for (const [line, n] of [
    [1, c.missing.line1],
    [2, c.missing.line2],
    [3, c.missing.line3],
  ] as const) {
    if (n > 0) parts.push(translate(locale, 'roster.gap.line', { n, line }));
  }
  for (const s of c.missing_skills) parts.push(translate(locale, 'roster.gap.skill', { skill: translate(locale, `skill.${s}`) }));
  return parts.join('; ');
}

/** Planned / required heads on a shift. */
export function headcount(c: ShiftCoverage): string {
  const planned = c.planned.line1 + c.planned.line2 + c.planned.line3;
  const required = c.required.line1 + c.required.line2 + c.required.line3;
  return `${planned}/${required}`;
}

/** A rule breach in the user's language. */
export function breachText(b: Breach, locale: Locale): string {
  const value = Math.round(b.value * 10) / 10;
  return translate(locale, `roster.rule.${b.rule}`, { name: b.name, day: b.day, value, limit: b.limit });
}

/** Coverage indexed by "code/day". */
export function coverageIndex(m: RosterMonth): Map<string, ShiftCoverage> {
  return new Map(m.report.shifts.map((s) => [`${s.code}/${s.day}`, s]));
}

/** Breaches indexed by "staffId/day". */
export function breachIndex(m: RosterMonth): Map<string, Breach[]> {
  const out = new Map<string, Breach[]>();
  for (const b of m.report.breaches) {
    const k = `${b.staff_id}/${b.day}`;
    out.set(k, [...(out.get(k) ?? []), b]);
  }
  return out;
}

/** The templates that have a coverage row, by start time. */
export function coveredCodes(m: RosterMonth): string[] {
  const codes = new Set(m.report.shifts.map((s) => s.code));
  return m.templates.filter((t) => codes.has(t.code)).map((t) => t.code);
}

/** The month before or after `month` (YYYY-MM). */
export function shiftMonth(month: string, by: number): string {
  const [y, m] = month.split('-').map(Number);
  const d = new Date(Date.UTC(y, m - 1 + by, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** The seven days (YYYY-MM-DD) of the Monday-to-Sunday week holding `day`. */
export function weekOf(day: string): string[] {
  const d = new Date(`${day}T00:00:00Z`);
  const monday = new Date(d.getTime() - ((d.getUTCDay() + 6) % 7) * 86400000);
  return Array.from({ length: 7 }, (_, i) => new Date(monday.getTime() + i * 86400000).toISOString().slice(0, 10));
}

/** Weekday of a YYYY-MM-DD day, 0 = Monday. */
export function weekday(day: string): number {
  return (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
}

/** Each on-call specialist's days ("staffId/YYYY-MM-DD") in the month, with the skills they are on call for. */
export function onCallIndex(m: RosterMonth): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const w of m.on_call) {
    if (w.staff_id === null) continue;
    const monday = new Date(`${w.week}T00:00:00Z`);
    for (let i = 0; i < 7; i++) {
      const day = new Date(monday.getTime() + i * 86400000).toISOString().slice(0, 10);
      const k = `${w.staff_id}/${day}`;
      out.set(k, [...(out.get(k) ?? []), w.skill]);
    }
  }
  return out;
}
