import { badRequest } from '../../kernel/errors.js';
import { DATE_TIME, child, childText, children, el, parseXmlRoot, text, type XmlElement } from './xml.js';

/**
 * EDXL-HAVE 2.0 hospital availability: per hospital its emergency department status and
 * beds available by type. Vigil reads what hospitals send (tolerant of where the
 * organisation's name and position sit) and writes the same shape back (round trip).
 */
export const HAVE_NS = 'urn:oasis:names:tc:emergency:EDXL:HAVE:2.0';
/** Namespaces read as HAVE 2.0 (some senders lower-case it). */
const HAVE_NAMESPACES = [HAVE_NS, 'urn:oasis:names:tc:emergency:edxl:have:2.0'];

export const ED_STATUSES = ['Normal', 'Advisory', 'Closed', 'NotApplicable'] as const;
export type EdStatus = (typeof ED_STATUSES)[number];

export interface HospitalReport {
  hospitalId: string;
  name: string;
  /** [lon, lat], as the rest of Vigil; null when the report has no position. */
  position: [number, number] | null;
  edStatus: EdStatus;
  beds: { type: string; available: number; baseline: number | null }[];
  lastUpdate: string;
}

export function checkHospital(h: HospitalReport): string[] {
  const errors: string[] = [];
  if (!h.hospitalId) errors.push('a hospital needs an id');
  if (!h.name) errors.push(`hospital ${h.hospitalId}: a name is required`);
  if (!(ED_STATUSES as readonly string[]).includes(h.edStatus)) errors.push(`hospital ${h.hospitalId}: EMS traffic status is one of ${ED_STATUSES.join(', ')}`);
  if (h.position && !(Math.abs(h.position[0]) <= 180 && Math.abs(h.position[1]) <= 90)) errors.push(`hospital ${h.hospitalId}: position out of range`);
  if (!DATE_TIME.test(h.lastUpdate)) errors.push(`hospital ${h.hospitalId}: LastUpdateTime must be a date-time with a time zone`);
  for (const b of h.beds) {
    if (!b.type) errors.push(`hospital ${h.hospitalId}: a bed capacity needs a type`);
    if (!Number.isInteger(b.available) || b.available < 0) errors.push(`hospital ${h.hospitalId}: available beds are a non-negative integer`);
    if (b.baseline !== null && (!Number.isInteger(b.baseline) || b.baseline < 0))
      errors.push(`hospital ${h.hospitalId}: baseline beds are a non-negative integer`);
  }
  return errors;
}

export function haveToXml(hospitals: readonly HospitalReport[]): string {
  const errors = hospitals.flatMap(checkHospital);
  if (errors.length > 0) throw badRequest(`EDXL-HAVE: ${errors.join('; ')}`, { errors });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<HospitalStatus xmlns="${HAVE_NS}">` +
    hospitals
      .map(
        (h) =>
          `<Hospital><Organization><OrganizationInformation>${el('OrganizationID', h.hospitalId)}${el('OrganizationName', h.name)}</OrganizationInformation>` +
          (h.position ? `<OrganizationGeoLocation><pos>${h.position[1]} ${h.position[0]}</pos></OrganizationGeoLocation>` : '') +
          `</Organization><EmergencyDepartmentStatus><EMSTraffic>${el('EMSTrafficStatus', h.edStatus)}</EMSTraffic></EmergencyDepartmentStatus>` +
          `<HospitalBedCapacityStatus>${h.beds
            .map(
              (b) =>
                `<BedCapacity>${el('BedType', b.type)}<Capacity>${el('CapacityStatus', b.available > 0 ? 'VacantAvailable' : 'NotAvailable')}${el('AvailableCount', b.available)}${el('BaselineCount', b.baseline)}</Capacity></BedCapacity>`,
            )
            .join('')}</HospitalBedCapacityStatus>${el('LastUpdateTime', h.lastUpdate)}</Hospital>`,
      )
      .join('') +
    '</HospitalStatus>'
  );
}

/** The first descendant with one of these local names. */
function find(e: XmlElement, names: readonly string[]): XmlElement | undefined {
  for (const c of children(e)) {
    if (names.includes(c.localName ?? '')) return c;
    const deeper = find(c, names);
    if (deeper) return deeper;
  }
  return undefined;
}

const MAX_HOSPITALS = 500;

export function haveFromXml(xml: string): HospitalReport[] {
  const root = parseXmlRoot(xml, HAVE_NAMESPACES, 'HospitalStatus', 'EDXL-HAVE');
  const hospitals = children(root, 'Hospital');
  if (hospitals.length === 0) throw badRequest('EDXL-HAVE: no <Hospital>');
  if (hospitals.length > MAX_HOSPITALS) throw badRequest(`EDXL-HAVE: at most ${MAX_HOSPITALS} hospitals in one report`);
  const out = hospitals.map((h, i) => {
    const org = child(h, 'Organization') ?? h;
    const name = text(find(org, ['OrganizationName', 'OrganisationName', 'NameElement'])) ?? '';
    const id = text(find(org, ['OrganizationID', 'OrganisationID', 'ID'])) || name || `hospital-${i + 1}`;
    const pos = text(find(org, ['pos']));
    const [lat, lon] = (pos ?? '').split(/\s+/).map(Number);
    const ed = find(h, ['EMSTrafficStatus']);
    const beds = children(child(h, 'HospitalBedCapacityStatus') ?? h, 'BedCapacity').map((b) => {
      const capacity = child(b, 'Capacity') ?? b;
      const baseline = childText(capacity, 'BaselineCount');
      return {
        type: childText(b, 'BedType') ?? '',
        available: Number(childText(capacity, 'AvailableCount') ?? NaN),
        baseline: baseline === undefined ? null : Number(baseline),
      };
    });
    const report: HospitalReport = {
      hospitalId: id,
      name,
      position: pos !== undefined && Number.isFinite(lat) && Number.isFinite(lon) ? [lon!, lat!] : null,
      edStatus: (text(ed) ?? 'NotApplicable') as EdStatus,
      beds,
      lastUpdate: childText(h, 'LastUpdateTime') ?? '',
    };
    return report;
  });
  const errors = out.flatMap(checkHospital);
  if (errors.length > 0) throw badRequest(`EDXL-HAVE: ${errors.join('; ')}`, { errors });
  return out;
}
