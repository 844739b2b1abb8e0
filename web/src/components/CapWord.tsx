import { useT } from '../i18n.js';
import { capPairParts, capWord, type CapField, type CapPairField } from '../labels.js';

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

/**
 * A CAP field's label and its value, read as a phrase in each language: "Certainty: Observed",
 * « Certitude : observée » (the value agrees with the label, the code stays in the value's tooltip).
 */
export function CapPair({ field, code }: { field: CapPairField; code: string | undefined | null }) {
  const t = useT();
  if (!code) return null;
  const [before, value, after] = capPairParts(t, field, code);
  return (
    <span className="cap-pair" data-cap-pair={field}>
      {before}
      <span className="cap-word" data-cap={field} title={t(`CAP ${field}: {code}`).replace('{code}', code)}>
        {value}
      </span>
      {after}
    </span>
  );
}
