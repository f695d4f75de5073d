import { describe, expect, it } from 'vitest';
import { breachText, cellLabel, codeLabel, gapText, groups, headcount, hours, shiftMonth, weekOf, weekday } from '../src/lib/roster';
import type { Breach, RosterPerson, ShiftCoverage } from '../src/lib/bindings/roster';

const cell = (code: string, extra: Partial<{ absence: 'vacation' | 'sick' | 'training' | null; holiday: boolean }> = {}) => ({
  code,
  absence: extra.absence ?? null,
  manual: false,
  holiday: extra.holiday ?? false,
});

describe('cellLabel', () => {
  it('shows the shift in each language, an absence over the shift, and a dot for a day off', () => {
    expect(cellLabel(cell('D'), 'en')).toBe('D');
    expect(cellLabel(cell('N'), 'ru')).toBe('Н');
    expect(cellLabel(cell('W'), 'ru')).toBe('Р');
    expect(cellLabel(cell(''), 'en')).toBe('·');
    expect(cellLabel(cell('D', { absence: 'vacation' }), 'ru')).toBe('О');
    expect(cellLabel(cell('W', { holiday: true }), 'en')).toBe('H');
  });
  it('shows an unknown template code as it is', () => {
    expect(cellLabel(cell('E'), 'en')).toBe('E');
  });
});

const coverage = (missing: [number, number], skills: ShiftCoverage['missing_skills'] = []): ShiftCoverage => ({
  day: '2026-12-01',
  code: 'D',
  start: '2026-12-01T05:00:00Z',
  end: '2026-12-01T17:00:00Z',
  required: { line1: 2, line2: 1, line3: 0 },
  planned: { line1: 2 - missing[0], line2: 1 - missing[1], line3: 0 },
  people: [],
  missing: { line1: missing[0], line2: missing[1], line3: 0 },
  missing_skills: skills,
});

describe('gapText and headcount', () => {
  it('names each missing line and skill', () => {
    expect(gapText(coverage([1, 1], ['networks']), 'en')).toBe('short 1 × L1; short 1 × L2; no one with Networks');
    expect(gapText(coverage([2, 0]), 'ru')).toBe('не хватает 2 × Л1');
    expect(gapText(coverage([0, 0]), 'en')).toBe('');
    expect(headcount(coverage([1, 0]))).toBe('2/3');
  });
});

describe('breachText', () => {
  it('words each rule with its numbers', () => {
    const b: Breach = { staff_id: 1, name: 'Anna', day: '2026-12-05', rule: 'min_rest', value: 10.04, limit: 12, reason: '' };
    expect(breachText(b, 'en')).toBe('Anna: 10 h of rest before the shift of 2026-12-05 (minimum 12 h)');
    expect(breachText({ ...b, rule: 'back_to_back', value: 0 }, 'ru')).toBe('Anna: смена 2026-12-05 начинается сразу после предыдущей');
  });
});

describe('calendar helpers', () => {
  it('moves across years and finds the Monday-to-Sunday week', () => {
    expect(shiftMonth('2026-12', 1)).toBe('2027-01');
    expect(shiftMonth('2026-01', -1)).toBe('2025-12');
    expect(weekOf('2026-12-03')).toEqual(['2026-11-30', '2026-12-01', '2026-12-02', '2026-12-03', '2026-12-04', '2026-12-05', '2026-12-06']);
    expect(weekday('2026-12-06')).toBe(6);
  });
  it('groups people by line in order', () => {
    const p = (id: number, role: RosterPerson['role']) => ({ staff_id: id, role }) as RosterPerson;
    const g = groups([p(1, 'line-1'), p(2, 'line-1'), p(3, 'line-2'), p(4, 'lead'), p(5, 'deputy')]);
    expect(g.map((x) => [x.group, x.people.length])).toEqual([
      [1, 2],
      [2, 1],
      [4, 2],
    ]);
  });
});

describe('codeLabel and hours', () => {
  it('names known shifts in each language and keeps a custom code, and writes hours to one decimal', () => {
    expect(codeLabel('N', 'ru')).toBe('Н');
    expect(codeLabel('X', 'ru')).toBe('X');
    expect(hours(8.666666, 'en')).toBe('8.7');
    expect(hours(8.666666, 'ru')).toBe('8,7');
    expect(hours(160, 'ru')).toBe('160');
  });
});
