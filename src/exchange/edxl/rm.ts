import { badRequest } from '../../kernel/errors.js';
import { DATE_TIME, child, childText, children, el, parseXmlRoot, required } from './xml.js';

/**
 * EDXL-RM 1.0 resource messages between organisations: a request, the answer to it, the
 * commitment and the release. Element names follow OASIS RM 1.0 (message namespace
 * urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg); checked structurally (the OASIS schema could
 * not be obtained here) and round-tripped.
 */
export const RM_NS = 'urn:oasis:names:tc:emergency:EDXL:RM:1.0:msg';

export const RM_TYPES = ['RequestResource', 'ResponseToRequestResource', 'CommitResource', 'ReleaseResource'] as const;
export type RmType = (typeof RM_TYPES)[number];
export const RM_RESPONSES = ['Accept', 'Decline', 'Provisional'] as const;
export type RmResponse = (typeof RM_RESPONSES)[number];

export interface RmResource {
  /** ResourceInfoElementID: the line of the request this is about. */
  elementId: string;
  /** The kind of resource asked for (a unit kind: 'ambulance', 'fire-engine', …). */
  typeName: string;
  quantity: number;
  /** For answers: accept, decline or provisional. */
  response?: RmResponse;
  note?: string;
}

export interface RmMessage {
  type: RmType;
  messageId: string;
  sentDateTime: string;
  /** The request this message belongs to (absent on the request itself). */
  originatingMessageId?: string;
  precedingMessageId?: string;
  incidentId?: string;
  incidentDescription?: string;
  fromOrganisation: string;
  toOrganisation: string;
  resources: RmResource[];
}

export function checkRm(m: RmMessage): string[] {
  const errors: string[] = [];
  if (!(RM_TYPES as readonly string[]).includes(m.type)) errors.push(`the message type is one of ${RM_TYPES.join(', ')}`);
  if (!m.messageId) errors.push('MessageID is required');
  if (!DATE_TIME.test(m.sentDateTime)) errors.push('SentDateTime must be a date-time with a time zone');
  if (m.type !== 'RequestResource' && !m.originatingMessageId) errors.push(`${m.type} names the request it answers (OriginatingMessageID)`);
  if (!m.fromOrganisation || !m.toOrganisation) errors.push('sender and recipient organisations are required');
  if (m.resources.length === 0) errors.push('at least one resource');
  for (const r of m.resources) {
    if (!r.elementId || !r.typeName) errors.push('a resource needs an element id and a type');
    if (!Number.isInteger(r.quantity) || r.quantity < 1) errors.push('a resource quantity is a positive integer');
    if (r.response !== undefined && !(RM_RESPONSES as readonly string[]).includes(r.response)) errors.push(`a response is one of ${RM_RESPONSES.join(', ')}`);
  }
  if (m.type === 'ResponseToRequestResource' && m.resources.some((r) => r.response === undefined))
    errors.push('an answer says Accept, Decline or Provisional for each resource');
  return errors;
}

export function rmToXml(m: RmMessage): string {
  const errors = checkRm(m);
  if (errors.length > 0) throw badRequest(`EDXL-RM: ${errors.join('; ')}`, { errors });
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<${m.type} xmlns="${RM_NS}">` +
    el('MessageID', m.messageId) +
    el('SentDateTime', m.sentDateTime) +
    el('MessageContentType', m.type) +
    el('OriginatingMessageID', m.originatingMessageId) +
    el('PrecedingMessageID', m.precedingMessageId) +
    (m.incidentId !== undefined || m.incidentDescription !== undefined
      ? `<IncidentInformation>${el('IncidentID', m.incidentId)}${el('IncidentDescription', m.incidentDescription)}</IncidentInformation>`
      : '') +
    `<ContactInformation>${el('ContactRole', 'Sender')}${el('OrganizationName', m.fromOrganisation)}</ContactInformation>` +
    `<ContactInformation>${el('ContactRole', 'Recipient')}${el('OrganizationName', m.toOrganisation)}</ContactInformation>` +
    m.resources
      .map(
        (r) =>
          `<ResourceInformation>${el('ResourceInfoElementID', r.elementId)}<Resource>${el('TypeInfo', r.typeName)}${el('Description', r.note)}</Resource>` +
          (r.response ? `<ResponseInformation>${el('ResponseType', r.response)}</ResponseInformation>` : '') +
          `<AssignmentInformation><Quantity><MeasuredQuantity>${el('Amount', r.quantity)}</MeasuredQuantity></Quantity></AssignmentInformation></ResourceInformation>`,
      )
      .join('') +
    `</${m.type}>`
  );
}

export function rmFromXml(xml: string): RmMessage {
  const root = parseXmlRoot(
    xml,
    [RM_NS],
    xml.match(/<(?:[\w.-]+:)?(RequestResource|ResponseToRequestResource|CommitResource|ReleaseResource)[\s>]/)?.[1] ?? 'RequestResource',
    'EDXL-RM',
  );
  const contacts = children(root, 'ContactInformation');
  const org = (role: string): string => {
    const c = contacts.find((x) => childText(x, 'ContactRole') === role);
    return c ? (childText(c, 'OrganizationName') ?? '') : '';
  };
  const incident = child(root, 'IncidentInformation');
  const m: RmMessage = {
    type: root.localName as RmType,
    messageId: required(root, 'MessageID', 'EDXL-RM'),
    sentDateTime: required(root, 'SentDateTime', 'EDXL-RM'),
    fromOrganisation: org('Sender'),
    toOrganisation: org('Recipient'),
    resources: children(root, 'ResourceInformation').map((ri) => {
      const resource = child(ri, 'Resource');
      const amount = child(child(child(ri, 'AssignmentInformation') ?? ri, 'Quantity') ?? ri, 'MeasuredQuantity');
      const r: RmResource = {
        elementId: childText(ri, 'ResourceInfoElementID') ?? '',
        typeName: resource ? (childText(resource, 'TypeInfo') ?? '') : '',
        quantity: Number(amount ? childText(amount, 'Amount') : NaN),
      };
      const note = resource ? childText(resource, 'Description') : undefined;
      if (note !== undefined) r.note = note;
      const response = child(ri, 'ResponseInformation');
      if (response) r.response = childText(response, 'ResponseType') as RmResponse;
      return r;
    }),
  };
  const o = childText(root, 'OriginatingMessageID');
  if (o !== undefined) m.originatingMessageId = o;
  const p = childText(root, 'PrecedingMessageID');
  if (p !== undefined) m.precedingMessageId = p;
  if (incident) {
    const id = childText(incident, 'IncidentID');
    if (id !== undefined) m.incidentId = id;
    const d = childText(incident, 'IncidentDescription');
    if (d !== undefined) m.incidentDescription = d;
  }
  const errors = checkRm(m);
  if (errors.length > 0) throw badRequest(`EDXL-RM: ${errors.join('; ')}`, { errors });
  return m;
}
