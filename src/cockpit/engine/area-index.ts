import type { CityReadPort } from '../../city/contract.js';
import type { Area } from '../../city/contract.js';
import { geometryContains } from '../../kernel/geo.js';
import { cleanLabel } from '../../kernel/text-safety.js';
import type { CockpitLevel } from '../model.js';

export interface AreaNode {
  id: string;
  name: string;
  level: CockpitLevel;
  parentId: string | null;
  children: string[];
  /** Ancestors from itself up to the city: where a value measured here also counts. */
  chain: string[];
}

/**
 * The aggregation tree from the city model: site → neighbourhood → district →
 * city. The city model gives each site its smallest area; a neighbourhood's
 * district is the district that lists it, else the one whose boundary holds its
 * centre (the city when none).
 */
export class AreaIndex {
  readonly nodes = new Map<string, AreaNode>();
  readonly cityId: string | null;

  constructor(city: Pick<CityReadPort, 'areas' | 'sites'>) {
    const areas = [...city.areas.values()];
    const cityArea = areas.find((a) => a.level === 'city') ?? null;
    this.cityId = cityArea?.id ?? null;
    const districts = areas.filter((a) => a.level === 'district');
    const parentOf = (a: Area): string | null => {
      if (a.level === 'city') return null;
      if (a.level === 'neighbourhood') {
        const d =
          districts.find((x) => x.neighbourhoodIds?.includes(a.id)) ??
          districts.find((x) => !x.neighbourhoodIds && x.geometry && geometryContains(x.geometry, a.center));
        if (d) return d.id;
      }
      return this.cityId;
    };
    for (const a of areas) this.nodes.set(a.id, { id: a.id, name: cleanLabel(a.name) || a.id, level: a.level, parentId: parentOf(a), children: [], chain: [] });
    for (const s of city.sites.values()) {
      const parent = s.areaId && this.nodes.has(s.areaId) ? s.areaId : this.cityId;
      this.nodes.set(s.id, {
        id: s.id,
        name: cleanLabel(s.name ?? s.address ?? '') || `${s.category} · ${s.id.replace(/^site:(osm:)?/, '')}`,
        level: 'site',
        parentId: parent,
        children: [],
        chain: [],
      });
    }
    for (const n of this.nodes.values()) if (n.parentId) this.nodes.get(n.parentId)?.children.push(n.id);
    for (const n of this.nodes.values()) {
      for (let at: AreaNode | undefined = n; at; at = at.parentId ? this.nodes.get(at.parentId) : undefined) n.chain.push(at.id);
    }
  }

  /** Where something measured at a site, or else at an area, or else nowhere in particular counts. */
  chainFor(siteId: string | null, areaId: string | null): string[] {
    const node = (siteId && this.nodes.get(siteId)) || (areaId && this.nodes.get(areaId)) || (this.cityId ? this.nodes.get(this.cityId) : undefined);
    return node?.chain ?? [];
  }

  atLevel(level: CockpitLevel, parentId?: string): AreaNode[] {
    const out: AreaNode[] = [];
    for (const n of this.nodes.values()) if (n.level === level && (!parentId || n.chain.includes(parentId))) out.push(n);
    return out;
  }

  /** Every node in the subtree (itself included). */
  subtree(id: string): string[] {
    const out: string[] = [];
    const stack = [id];
    while (stack.length) {
      const at = stack.pop()!;
      const n = this.nodes.get(at);
      if (!n) continue;
      out.push(at);
      stack.push(...n.children);
    }
    return out;
  }
}
