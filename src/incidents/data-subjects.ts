import { personalSubject, phoneDigits, type DataSubjectHolder, type DataSubjectRecord } from '../platform/personal-data.js';
import type { IncidentsState } from './incidents-state.js';

/** Callers found by the phone number they gave (names alone identify no one for sure). */
export function incidentDataSubjects(state: IncidentsState): DataSubjectHolder {
  return {
    find(query): DataSubjectRecord[] {
      const digits = phoneDigits(query.phone);
      if (!digits) return [];
      const out: DataSubjectRecord[] = [];
      for (const i of state.incidents.values()) {
        if (!i.caller?.phone || i.caller.phone.startsWith('[erased') || phoneDigits(i.caller.phone) !== digits) continue;
        out.push({
          subject: personalSubject('caller', i.incidentId),
          kind: 'caller',
          orgId: i.orgId,
          label: `${i.reference} — ${i.title}`,
          at: i.createdAt,
          data: { incident: i.reference, title: i.title, openedAt: i.createdAt, caller: i.caller },
        });
      }
      return out;
    },
  };
}
