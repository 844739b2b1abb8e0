import { setImmediate as nextTurn } from 'node:timers/promises';

/** Items written between two turns of the event loop. */
export const ITEMS_PER_TURN = 500;

/**
 * A long text (an export's thousands of rows) written on the main thread a few hundred
 * items at a time, giving the event loop a turn between them: the serialisation never
 * holds a DC-09 ACK for the whole export, only for one slice. `item` returns an item's
 * text, or null to leave it out; `separator` goes between the items written.
 */
export async function yieldingText<T>(
  text: { head: string; items: readonly T[]; item: (value: T) => string | null; separator: string; tail: string },
  perTurn = ITEMS_PER_TURN,
): Promise<string> {
  const parts: string[] = [text.head];
  let written = 0;
  for (let i = 0; i < text.items.length; i++) {
    if (i > 0 && i % perTurn === 0) await nextTurn();
    const s = text.item(text.items[i]!);
    if (s === null) continue;
    if (written++ > 0) parts.push(text.separator);
    parts.push(s);
  }
  parts.push(text.tail);
  return parts.join('');
}
