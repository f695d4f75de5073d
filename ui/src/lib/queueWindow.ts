// The arithmetic of the virtualised queue list: which rows are on screen, which chunks
// of rows to fetch, where to scroll to keep the selection visible. Pure, unit-tested.

export const ROW_HEIGHT = 30;
export const CHUNK = 100;
const OVERSCAN = 8;

/** The rows [start, end) to render for this scroll position and viewport height. */
export function visibleRange(scrollTop: number, viewport: number, total: number): { start: number; end: number } {
  const start = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const end = Math.min(total, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  return { start, end: Math.max(start, end) };
}

/** The chunk indexes that cover rows [start, end). */
export function chunksFor(start: number, end: number): number[] {
  if (end <= start) return [];
  const out: number[] = [];
  for (let c = Math.floor(start / CHUNK); c <= Math.floor((end - 1) / CHUNK); c++) out.push(c);
  return out;
}

/** The scrollTop that brings row `index` fully into view, or the current one if it already is. */
export function scrollToShow(index: number, scrollTop: number, viewport: number): number {
  const top = index * ROW_HEIGHT;
  if (top < scrollTop) return top;
  if (top + ROW_HEIGHT > scrollTop + viewport) return top + ROW_HEIGHT - viewport;
  return scrollTop;
}

/** The selection after a navigation key, or null for keys the list does not handle. */
export function moveSelection(key: string, current: number, total: number, pageRows: number): number | null {
  if (total === 0) return null;
  const clamp = (i: number) => Math.min(total - 1, Math.max(0, i));
  switch (key) {
    case 'ArrowDown':
      return clamp(current + 1);
    case 'ArrowUp':
      return clamp(current - 1);
    case 'PageDown':
      return clamp(current + pageRows);
    case 'PageUp':
      return clamp(current - pageRows);
    case 'Home':
      return 0;
    case 'End':
      return total - 1;
    default:
      return null;
  }
}
