/**
 * Scrolling regions a keyboard can reach (WCAG 2.1.1; axe-core's scrollable-region-focusable):
 * on a phone, wide tables and detail panes scroll sideways or down inside the page. An element
 * that scrolls and holds nothing focusable gets tabIndex 0 (and a region role and name when it
 * has none), so arrow keys scroll it; it loses them when it no longer scrolls. Checked after
 * each burst of changes to the page and on resize, once per animation frame.
 */
const CANDIDATES = 'div, section, table, main, ul, ol, pre, aside, article, form';
const FOCUSABLE = 'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"]), summary';
const MARK = 'data-scroll-focus';

function scrolls(el: HTMLElement): boolean {
  if (el.scrollWidth <= el.clientWidth + 1 && el.scrollHeight <= el.clientHeight + 1) return false;
  const style = getComputedStyle(el);
  const can = (v: string): boolean => v === 'auto' || v === 'scroll';
  return (el.scrollWidth > el.clientWidth + 1 && can(style.overflowX)) || (el.scrollHeight > el.clientHeight + 1 && can(style.overflowY));
}

export function keepScrollersFocusable(root: HTMLElement, label: (el: HTMLElement) => string): () => void {
  let pending = 0;
  const check = (): void => {
    pending = 0;
    for (const el of root.querySelectorAll<HTMLElement>(CANDIDATES)) {
      const marked = el.hasAttribute(MARK);
      if (scrolls(el)) {
        if (marked || el.hasAttribute('tabindex') || el.querySelector(FOCUSABLE)) continue;
        el.tabIndex = 0;
        el.setAttribute(MARK, '');
        // A table keeps its own semantics; another box becomes a named region.
        if (el.tagName !== 'TABLE' && !el.getAttribute('role')) {
          el.setAttribute('role', 'region');
          if (!el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) el.setAttribute('aria-label', label(el));
        }
      } else if (marked) {
        el.removeAttribute('tabindex');
        el.removeAttribute(MARK);
      }
    }
  };
  const schedule = (): void => {
    if (!pending) pending = requestAnimationFrame(check);
  };
  const observer = new MutationObserver(schedule);
  observer.observe(root, { childList: true, subtree: true });
  window.addEventListener('resize', schedule);
  schedule();
  return () => {
    observer.disconnect();
    window.removeEventListener('resize', schedule);
    if (pending) cancelAnimationFrame(pending);
  };
}
