import { describe, expect, it } from 'vitest';
import { dateTime, hoursMinutes, pausedLeft, size, timeLeft, dayLabel } from '../src/lib/format';

describe('dateTime', () => {
  it('shows a UTC instant in the given zone', () => {
    expect(dateTime('2026-11-28T09:05:00Z', 'ru', 'Europe/Moscow')).toBe('28.11.2026, 12:05');
    expect(dateTime('2026-11-28T09:05:00Z', 'en', 'America/New_York')).toBe('28/11/2026, 04:05');
  });

  it('keeps each language and zone apart when it reuses formatters', () => {
    for (let i = 0; i < 3; i++) {
      expect(dateTime('2026-11-28T09:05:00Z', 'ru', 'Asia/Vladivostok')).toBe('28.11.2026, 19:05');
      expect(dateTime('2026-11-28T09:05:00Z', 'en', 'Asia/Vladivostok')).toBe('28/11/2026, 19:05');
      expect(dateTime('2026-11-28T09:05:00Z', 'ru', 'UTC')).toBe('28.11.2026, 09:05');
    }
  });

  it('shows a dash for a missing or broken time', () => {
    expect(dateTime(null, 'en')).toBe('—');
    expect(dateTime('not a time', 'en')).toBe('—');
  });
});

describe('timeLeft', () => {
  const now = new Date('2026-11-28T10:00:00Z');
  it('counts down to a deadline', () => {
    expect(timeLeft('2026-11-28T13:05:00Z', now)).toEqual({ text: '3h 05m', overdue: false });
    expect(timeLeft('2026-11-30T12:00:00Z', now)).toEqual({ text: '2d 2h', overdue: false });
  });
  it('marks a passed deadline as overdue', () => {
    expect(timeLeft('2026-11-28T09:30:00Z', now)).toEqual({ text: '-0h 30m', overdue: true });
  });
});

describe('pausedLeft', () => {
  it('writes the support time left on a stopped clock as timeLeft writes wall time', () => {
    expect(pausedLeft(5 * 3600 + 20 * 60)).toEqual({ text: '5h 20m', overdue: false });
    expect(pausedLeft(-90 * 60)).toEqual({ text: '-1h 30m', overdue: true });
  });
});

describe('size', () => {
  it('uses binary units in each language', () => {
    expect(size(512, 'en')).toBe('512 B');
    expect(size(5 * 1024 * 1024 + 300_000, 'en')).toBe('5.3 MiB');
    expect(size(5 * 1024 * 1024 + 300_000, 'ru')).toBe('5,3 МиБ');
  });
});

describe('hoursMinutes', () => {
  it('shows signed hours and minutes', () => {
    expect(hoursMinutes(3 * 3600 + 5 * 60)).toBe('3:05');
    expect(hoursMinutes(-30 * 60)).toBe('-0:30');
    expect(hoursMinutes(59)).toBe('0:00');
  });
});

describe('dayLabel', () => {
  it('names the weekday of a calendar day, whatever the zone of the computer', () => {
    expect(dayLabel('2026-12-07', 'en')).toBe('Mon');
    expect(dayLabel('2026-12-07', 'ru')).toBe('пн');
    expect(dayLabel('2026-12-13', 'en', true)).toBe('Sun 13');
    expect(dayLabel('2026-12-13', 'ru', true)).toBe('вс, 13');
  });
});
