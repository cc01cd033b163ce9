// How each dialect's store is put together from its concerns: each concern's part gives its slice of the Store, and what prune deletes of its tables.
import type { PruneResult, Store } from './types';

/** What Store.prune is given. */
export type PruneOptions = Parameters<Store['prune']>[0];

/** A concern's part on one dialect (`Ctx`: what that dialect gives its parts; `Pruner`: how it deletes rows). */
export interface Part<Ctx, S, Pruner> {
  /** The concern's slice of the Store, on the dialect's connection(s). */
  store(ctx: Ctx): S;
  /** What Store.prune deletes of the concern's tables, by PruneResult entry: at most `batch` rows each. */
  prune?: Partial<Record<keyof PruneResult, Pruner>>;
}

type UnionToIntersection<U> = (U extends unknown ? (u: U) => void : never) extends (i: infer I) => void ? I : never;

/** The Store slices of a set of parts, as one type: the composition checks it against Store. */
export type Slices<Parts> = UnionToIntersection<{ [K in keyof Parts]: Parts[K] extends Part<never, infer S, unknown> ? S : never }[keyof Parts]>;

/** Every part's slice of the Store, in one object; a method given by two parts is a mistake. */
export function composeSlices<Ctx, Parts extends Record<string, Part<Ctx, object, unknown>>>(parts: Parts, ctx: Ctx): Slices<Parts> {
  const store: Record<string, unknown> = {};
  for (const [concern, part] of Object.entries(parts)) {
    for (const [name, method] of Object.entries(part.store(ctx))) {
      if (name in store) throw new Error(`two store parts give ${name} (the second: ${concern})`);
      store[name] = method;
    }
  }
  return store as Slices<Parts>;
}

/** Every part's pruners, in the parts' order; a PruneResult entry claimed by two parts is a mistake. */
export function composePruners<Pruner>(parts: Record<string, Part<never, object, Pruner>>): Array<[keyof PruneResult, Pruner]> {
  const pruners = Object.values(parts).flatMap((part) => Object.entries(part.prune ?? {}) as Array<[keyof PruneResult, Pruner]>);
  const keys = pruners.map(([key]) => key);
  const twice = keys.find((key, index) => keys.indexOf(key) !== index);
  if (twice) throw new Error(`two store parts prune "${twice}"`);
  return pruners;
}
