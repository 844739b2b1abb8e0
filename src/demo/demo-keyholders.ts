import type { Keyholder } from '../alarms/contract.js';

// Invented people with numbers in Monaco's mobile range written out of service
// (+377 6 99 …): the demo must never ring a real phone.
const FIRST = ['Marie', 'Luca', 'Sophie', 'Marco', 'Claire', 'Giulia', 'Pierre', 'Elena', 'Antoine', 'Chiara', 'Julien', 'Sara'];
const LAST = ['Rossi', 'Gastaud', 'Bianchi', 'Médecin', 'Ferrari', 'Boisson', 'Ricci', 'Pastor', 'Lanteri', 'Fautrier', 'Marsan', 'Notari'];
const ROLES = ['site manager', 'caretaker', 'owner', 'security officer'];

/** Two or three keyholders for a demo site, in calling order, the same on every run. */
export function demoKeyholders(index: number): Keyholder[] {
  const count = 2 + (index % 2);
  return Array.from({ length: count }, (_, k) => {
    const n = index * 3 + k;
    const digits = String(100_000 + ((n * 7919) % 900_000)).padStart(6, '0');
    return {
      name: `${FIRST[n % FIRST.length]} ${LAST[(n * 5 + 3) % LAST.length]}`,
      phone: `+377 6 99 ${digits.slice(0, 2)} ${digits.slice(2, 4)} ${digits.slice(4, 6)}`,
      note: k === 0 ? `${ROLES[index % ROLES.length]}, has the alarm code` : ROLES[(index + k) % ROLES.length]!,
    };
  });
}
