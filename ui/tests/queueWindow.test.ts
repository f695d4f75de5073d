import { describe, expect, it } from 'vitest';
import { CHUNK, ROW_HEIGHT, chunksFor, moveSelection, scrollToShow, visibleRange } from '../src/lib/queueWindow';

describe('the virtualised queue', () => {
  it('renders only the rows on screen plus a small margin, even for 100,000 tickets', () => {
    const { start, end } = visibleRange(50_000 * ROW_HEIGHT, 600, 100_000);
    expect(end - start).toBeLessThan(60);
    expect(start).toBeLessThanOrEqual(50_000);
    expect(end).toBeGreaterThan(50_000 + 600 / ROW_HEIGHT - 1);
  });

  it('never renders past the end', () => {
    expect(visibleRange(0, 600, 5)).toEqual({ start: 0, end: 5 });
    expect(visibleRange(0, 600, 0)).toEqual({ start: 0, end: 0 });
  });

  it('fetches the chunks that cover the visible rows', () => {
    expect(chunksFor(0, 10)).toEqual([0]);
    expect(chunksFor(CHUNK - 5, CHUNK + 5)).toEqual([0, 1]);
    expect(chunksFor(10, 10)).toEqual([]);
  });

  it('scrolls just enough to show the selected row', () => {
    expect(scrollToShow(0, 300, 600)).toBe(0);
    expect(scrollToShow(15, 0, 600)).toBe(0);
    expect(scrollToShow(40, 0, 600)).toBe(41 * ROW_HEIGHT - 600);
  });

  it('moves the selection with the keyboard and stays in bounds', () => {
    expect(moveSelection('ArrowDown', 4, 10, 5)).toBe(5);
    expect(moveSelection('ArrowUp', 0, 10, 5)).toBe(0);
    expect(moveSelection('PageDown', 8, 10, 5)).toBe(9);
    expect(moveSelection('Home', 8, 10, 5)).toBe(0);
    expect(moveSelection('End', 2, 10, 5)).toBe(9);
    expect(moveSelection('x', 2, 10, 5)).toBeNull();
    expect(moveSelection('ArrowDown', 0, 0, 5)).toBeNull();
  });
});
