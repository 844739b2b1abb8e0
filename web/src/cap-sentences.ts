/**
 * The sentences of CAP's rules and of a refused CAP import, by reason (src/alerts/cap/cap-rules.ts: `cap.<rule>`;
 * src/alerts/exchange/cap-import.ts and cap-versions.ts). The server sends the rule and what it names (the info
 * block's number and language, the area's description, the values at fault); the UI words them in the reader's
 * language, for a refused upload (errors.ts) and for the warnings kept with an imported alert (capFindingText).
 */
export const CAP_RULE_SENTENCES: Readonly<Record<string, string>> = {
  'references-required': 'A message of type {msgType} names the messages it refers to in <references> (“sender,identifier,sent” each).',
  'references-form': '<references>: “{reference}” is not “sender,identifier,sent”.',
  'references-self': 'A message cannot reference itself.',
  'restriction-required': 'A Restricted alert says its restriction in <restriction>.',
  'restriction-unused': '<restriction> is used only when the scope is Restricted; this alert’s scope: {scope}.',
  'addresses-required': 'A Private alert lists its recipients in <addresses>.',
  'info-missing': 'This {msgType} message has no <info> block: nothing to show or send.',
  'one-info-per-language': 'One info block per language: {languages}.',
  'category-required': 'Info block {info} ({language}): at least one category.',
  'polygon-points': 'Info block {info} ({language}), area “{area}”: “{point}” is not “latitude,longitude” in WGS 84.',
  'polygon-size': 'Info block {info} ({language}), area “{area}”: a polygon has at least 4 points (the first repeated last); this one has {points}.',
  'polygon-closed': 'Info block {info} ({language}), area “{area}”: a polygon is closed (its last point is its first).',
  'polygon-area': 'Info block {info} ({language}), area “{area}”: the polygon has no area (its points are on one line).',
  'circle-form': 'Info block {info} ({language}), area “{area}”: “{circle}” is not a circle “latitude,longitude radius” (radius in km, not negative).',
  'ceiling-needs-altitude': 'Info block {info} ({language}), area “{area}”: <ceiling> is used only with <altitude>.',
  'ceiling-below-altitude': 'Info block {info} ({language}), area “{area}”: the ceiling ({ceiling}) is below the altitude ({altitude}).',
  'expires-before-effective': 'Info block {info} ({language}): it expires ({expires}) before it takes effect ({effective}).',
  'onset-before-effective': 'Info block {info} ({language}): the event begins ({onset}) before the information takes effect ({effective}).',
};

/** A document refused before its rules are checked: empty, too large, not CAP, not valid, signature. */
export const CAP_IMPORT_SENTENCES: Readonly<Record<string, string>> = {
  empty: 'The document is empty.',
  'too-large': 'The document is larger than Vigil accepts ({limit} bytes at most).',
  schema: 'The document is not valid CAP 1.2: the schema refuses it.',
  'schema-converted': 'Converted from CAP 1.1 to 1.2, the document is not valid: the schema refuses it.',
  'signature-refused': 'The document’s XML signature is refused.',
  unsigned: '{sender} signs its alerts, but this document is not signed.',
  'signature-partial': 'The XML signature does not cover the whole alert.',
  'record-too-long': 'The alert’s text is longer than Vigil keeps ({limit} characters at most, without embedded resources): long content belongs in resources.',
  doctype: 'A CAP document must not carry a DOCTYPE.',
  'not-xml': 'The document is not well-formed XML.',
  'version-1.0': 'CAP 1.0 is not accepted: ask the sender for CAP 1.2 (CAP 1.1 is converted).',
  'not-cap': 'Not a CAP alert (its root is <{root}>): Vigil accepts CAP 1.2 and CAP 1.1.',
};
