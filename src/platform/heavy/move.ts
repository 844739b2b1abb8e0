import { Piscina } from 'piscina';

/**
 * A worker task's result whose `transfer` buffers move to the main thread instead of
 * being copied: structured cloning a city's road graph (hundreds of MB of typed arrays)
 * would cost the main thread what the worker saved it. The buffers are unusable in the
 * worker afterwards. The caller of `runInWorker` receives `value` as usual.
 */
export function movedToCaller<T>(value: T, transfer: ArrayBuffer[]): T {
  const movable = { [Piscina.transferableSymbol]: transfer, [Piscina.valueSymbol]: value };
  return Piscina.move(movable as unknown as Parameters<typeof Piscina.move>[0]) as unknown as T;
}
