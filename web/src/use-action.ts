import { useCallback, useState } from 'react';
import { useT } from './i18n.js';
import { errorText } from './errors.js';

/** What a staff page's actions share: one at a time (busy), the error or notice they left, and a refresh after each. */
export interface PageAction {
  busy: boolean;
  error: string | null;
  notice: string | null;
  setError: (error: string | null) => void;
  setNotice: (notice: string | null) => void;
  /**
   * Runs an action: clears the last error and notice, marks the page busy, then refreshes what the
   * page shows and sets `done` as the notice. A failure leaves its message as the error. Resolves
   * true when the action (and the refresh) succeeded, so a form can reset itself.
   */
  run: (action: () => Promise<unknown>, done?: string) => Promise<boolean>;
}

/**
 * The busy / error / refresh wrapper every staff page had its own copy of. `refresh` is what the page
 * reloads after an action (a stable callback: useCallback), none for pages that only show a notice.
 */
export function useAction(refresh?: () => Promise<unknown>): PageAction {
  const t = useT();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const run = useCallback(
    async (action: () => Promise<unknown>, done?: string): Promise<boolean> => {
      setError(null);
      setNotice(null);
      setBusy(true);
      try {
        await action();
        await refresh?.();
        if (done) setNotice(done);
        return true;
      } catch (e) {
        setError(errorText(t, e));
        return false;
      } finally {
        setBusy(false);
      }
    },
    [refresh, t],
  );
  return { busy, error, notice, setError, setNotice, run };
}
