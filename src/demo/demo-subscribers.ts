import type { Site } from '../city/contract.js';
import type { SubscribeInput } from '../alerts/contract.js';

const LANGUAGES = ['fr-MC', 'fr-MC', 'en-GB', 'it-IT'];

/**
 * Invented subscribers for the demo: about one resident in twenty, at home on the
 * residential buildings the population estimate placed people on, some working in
 * another building. Addresses are under example.invalid and numbers in an unused
 * range, so the demo can never reach a real person.
 */
export function demoSubscribers(sites: Iterable<Site>, perResidents = 20): SubscribeInput[] {
  const homes = [...sites].filter((s) => (s.residents ?? 0) > 0).sort((a, b) => a.id.localeCompare(b.id));
  const workplaces = [...homes].reverse();
  const out: SubscribeInput[] = [];
  let n = 0;
  for (const home of homes) {
    const count = Math.round((home.residents ?? 0) / perResidents);
    for (let k = 0; k < count; k++, n++) {
      const work = n % 3 === 0 ? workplaces[n % workplaces.length] : undefined;
      out.push({
        name: null,
        language: LANGUAGES[n % LANGUAGES.length]!,
        email: `resident-${n}@example.invalid`,
        phone: n % 2 === 0 ? `+3776990${String(n).padStart(5, '0')}` : null,
        locations: [
          { kind: 'home', lat: home.position[1], lon: home.position[0] },
          ...(work ? [{ kind: 'work' as const, lat: work.position[1], lon: work.position[0] }] : []),
        ],
        consent: true,
      });
    }
  }
  return out;
}
