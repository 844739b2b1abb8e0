import { useT } from '../i18n.js';
import { capWord, type CapField } from '../labels.js';

/** A CAP code in words, the code in its tooltip ("CAP severity: Severe"). */
export function CapWord({ field, code, upper = false }: { field: CapField; code: string | undefined | null; upper?: boolean }) {
  const t = useT();
  if (!code) return null;
  const words = capWord(t, field, code);
  return (
    <span className="cap-word" data-cap={field} title={t(`CAP ${field}: {code}`).replace('{code}', code)}>
      {upper ? words.toUpperCase() : words}
    </span>
  );
}
