import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import { api } from './api.js';
import { useT } from './i18n.js';
import { EMPTY_DIRECTORY, indexDirectory, nameOf, type Directory, type DirectoryIndex } from '../../src/directory/contract.js';
import { wordLabel } from '../../src/city/contract.js';
import { labelWords } from './generated-labels.js';

/**
 * Names, not ids: the directory of what the signed-in user may see (GET /api/directory),
 * loaded once per session and shared by every page through a context.
 */
export const DirectoryContext = createContext<DirectoryIndex>(indexDirectory(EMPTY_DIRECTORY));

export function useLoadDirectory(refreshKey: unknown): DirectoryIndex {
  const t = useT();
  const [dir, setDir] = useState<Directory>(EMPTY_DIRECTORY);
  useEffect(() => {
    api<Directory>('/api/directory').then(setDir, () => {});
  }, [refreshKey]);
  // Names Vigil generated (demo devices, unnamed sites) in the reader's language, from their parts.
  return useMemo(() => indexDirectory(dir, (parts) => wordLabel(parts, labelWords(t))), [dir, t]);
}

/** `name(ref)`: the display name of an actor or subject reference (user:…, site:…, dev:…, unit:…), never its id. */
export function useNames(): (ref: string | null | undefined) => string {
  const dir = useContext(DirectoryContext);
  const t = useT();
  // A value that is already a name (no `kind:` prefix, not an id) is shown as it is. Stable while the
  // directory and language stay, so it can be an effect's dependency (like useT).
  return useCallback(
    (ref: string | null | undefined) => {
      const words = { system: 'Vigil', someone: t('someone'), apiKey: t('an API key'), public: t('a member of the public') };
      return ref && !/^[a-z][a-z-]*:/.test(ref) && !/^[a-z]{2,5}_[0-9A-Z]{20,}$/.test(ref) ? ref : nameOf(dir, ref, words);
    },
    [dir, t],
  );
}

export function useDirectory(): DirectoryIndex {
  return useContext(DirectoryContext);
}
