import { WindowBatcher } from '../platform/window-batcher.js';
import type { Fix } from './model.js';

/**
 * Gathers AVL fixes per unit and writes each unit's fixes of one window as one
 * event: a fleet reporting every second would otherwise put one event per fix in
 * the log. Every caller's promise resolves only when its fix is durable
 * (platform/window-batcher.ts). A window is closed by the timer (`windowMs`) or
 * early when a unit has `maxFixes` waiting.
 */
export class AvlBatcher {
  private readonly batcher: WindowBatcher<Fix[]>;

  constructor(write: (batch: Map<string, Fix[]>) => Promise<void>, windowMs = 2000, maxFixes = 100) {
    this.batcher = new WindowBatcher<Fix[]>({ write, newSlot: () => [], size: (fixes) => fixes.length, max: maxFixes, windowMs });
  }

  add(unitId: string, fixes: Fix[]): Promise<void> {
    return this.batcher.add(unitId, (slot) => slot.push(...fixes));
  }

  get waiting(): number {
    return this.batcher.waiting;
  }

  /** Writes everything waiting now (one commit for every unit's window). */
  flush(): Promise<void> {
    return this.batcher.flush();
  }
}
