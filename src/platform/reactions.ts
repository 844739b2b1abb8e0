/**
 * Typed reactions between capabilities, in process. A capability that produces a fact
 * others act on names it in its contract (by augmenting `ReactionTypes`); the capability
 * that acts on it declares `ctx.reactions.on(type, handler)` where the handling lives.
 * This replaces mutable hooks (`service.onSomething = …`) wired from the outside.
 *
 *   declare module '../platform/reactions.js' {
 *     interface ReactionTypes { 'alarms.noise-reading': { input: NoiseReading; output: void } }
 *   }
 *
 * Reactions are not events: they are not durable and not distributed. What must survive
 * a crash goes through `ctx.record` first; a reaction then carries what was recorded, or a
 * reading that is worthless once late (a sound level, a people count).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- augmented by each capability's contract.ts
export interface ReactionTypes {}

export type ReactionType = keyof ReactionTypes;
type Input<K extends ReactionType> = ReactionTypes[K] extends { input: infer I } ? I : never;
type Output<K extends ReactionType> = ReactionTypes[K] extends { output: infer O } ? O : never;
export type ReactionHandler<K extends ReactionType> = (input: Input<K>) => Output<K> | Promise<Output<K>>;

export class Reactions {
  private readonly handlers = new Map<string, ((input: unknown) => unknown)[]>();

  /** Registers a handler; returns a function that removes it. */
  on<K extends ReactionType>(type: K, handler: ReactionHandler<K>): () => void {
    const list = this.handlers.get(type) ?? [];
    list.push(handler as (input: unknown) => unknown);
    this.handlers.set(type, list);
    return () => {
      const at = list.indexOf(handler as (input: unknown) => unknown);
      if (at >= 0) list.splice(at, 1);
    };
  }

  /** Whether anything reacts to `type` (a producer may skip work nobody reads). */
  has(type: ReactionType): boolean {
    return (this.handlers.get(type)?.length ?? 0) > 0;
  }

  /** Runs every handler of `type` in registration order, one after the other; their results in that order. */
  async emit<K extends ReactionType>(type: K, input: Input<K>): Promise<Output<K>[]> {
    const list = this.handlers.get(type);
    if (!list || list.length === 0) return [];
    const results: Output<K>[] = [];
    for (const handler of [...list]) results.push((await handler(input)) as Output<K>);
    return results;
  }
}
