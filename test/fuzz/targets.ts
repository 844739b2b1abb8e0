import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKey } from '../../src/adapters/protocols/dc09/dc09-crypto.js';
import { Dc09Framer, MAX_FRAME_BYTES, type RawFrame } from '../../src/adapters/protocols/dc09/dc09-framer.js';
import { parseFrame, type AccountSettings } from '../../src/adapters/protocols/dc09/dc09-message.js';
import { ackFrame, duhFrame, frameOf, signalFrame } from '../../src/adapters/protocols/dc09/dc09-reply.js';
import { crc16 } from '../../src/adapters/protocols/dc09/crc.js';
import { readOsm } from '../../src/adapters/osm/osm-reader.js';
import { cidMeaning, siaMeaning } from '../../src/alarms/codes.js';
import { parseSensorMessage, sensorSignalFields } from '../../src/alarms/ingest/sensor-message.js';
import { validateCapXml } from '../../src/alerts/cap/cap-validate.js';
import { parseCapXml } from '../../src/alerts/cap/cap-xml.js';
import { decodeXml } from '../../src/alerts/exchange/charset.js';
import { readFeed } from '../../src/alerts/exchange/feed-reader.js';
import { parseCsv, CsvError } from '../../src/cockpit/imports/csv.js';
import { parsePeers, parseStatistics } from '../../src/cockpit/imports/statistics-import.js';
import { checkPeopleCountMessage } from '../../src/crowd/count-ingest.js';
import { VigilError } from '../../src/kernel/errors.js';
import { parseSyslog, SyslogFramer, stixIndicators } from '../../src/csirt/index.js';
import { parseGeometry, parseLayer } from '../../src/major-events/geometry.js';
import { parseAvlMessage } from '../../src/units/avl-message.js';
import { tinyPbf } from '../support/tiny-pbf.js';
import { readIntel } from '../../src/device-security/intel.js';
import { Matcher } from '../../src/device-security/matcher.js';
import { parseCpe, parsePurl } from '../../src/device-security/names.js';
import { readSbom } from '../../src/device-security/sbom.js';
import { jpegWithExif, TINY_JPEG } from '../support/tiny-jpeg.js';
import { FormError, boundaryOf, parseMultipart, parseUrlEncoded } from '../../src/citizen-reports/form.js';
import { PhotoError, stripPhoto } from '../../src/citizen-reports/photo.js';
import { checkClient, checkReport, parseRequestsQuery } from '../../src/citizen-reports/rules.js';
import { CITIZEN_APP_API_KEY } from '../../src/citizen-reports/contract.js';
import { edxlDe, edxlHave, edxlRm, readIncidentMessage, sitRep } from '../../src/exchange/index.js';
import { CAP_DOC, DE2_XML, HAVE_DOC, HUB_JSON, RM_DOC, VIGIL_EARLIER_XML } from '../support/edxl-fixtures.js';

/**
 * One fuzz target per parser that takes input from outside. `run` returns normally
 * when the parser accepted or refused the input the way it promises (a result
 * saying what is wrong, or a VigilError / CsvError for the API to answer 400); any
 * other exception, or a broken invariant, is a crash.
 */
export interface FuzzTarget {
  name: string;
  seeds: Buffer[];
  /** Words of the format the mutator splices in. */
  tokens: string[];
  maxBytes: number;
  run(input: Buffer): void | Promise<void>;
}

export class InvariantBroken extends Error {}

/** Words of CAP XML the mutator splices in (the reader's and the schema check's targets). */
const CAP_TOKENS = [
  '<',
  '>',
  '</',
  '/>',
  '<info>',
  '</info>',
  '<area>',
  '<polygon>',
  '<circle>',
  '&amp;',
  '&#0;',
  '&x;',
  '<![CDATA[',
  ']]>',
  '<!DOCTYPE a [<!ENTITY x "y">]>',
  '<?xml version="1.0"?>',
  'xmlns="urn:oasis:names:tc:emergency:cap:1.2"',
];

const NOW = Date.UTC(2026, 11, 3, 12, 0, 0);
const KEY = parseKey('000102030405060708090A0B0C0D0E0F')!;
const ACCOUNTS = new Map<string, AccountSettings>([
  ['1234', { key: null, clockOffsetMinutes: 0 }],
  ['AB12', { key: KEY, clockOffsetMinutes: 0 }],
  ['5678', { key: null, clockOffsetMinutes: -120 }],
]);
const settingsFor = (a: string | null): AccountSettings | null => (a ? (ACCOUNTS.get(a) ?? null) : null);

/** A refusal the parser's contract allows; anything else propagates as a crash. */
function refusal(error: unknown): void {
  if (error instanceof VigilError || error instanceof CsvError) return;
  throw error;
}

const latin1 = (s: string): Buffer => Buffer.from(s, 'latin1');
const utf8 = (s: string): Buffer => Buffer.from(s, 'utf8');

/** Parses a framed frame and builds the reply the receiver would send: neither may throw. */
function parseAndReply(frame: RawFrame): void {
  const r = parseFrame(frame, { now: NOW, settingsFor });
  if (r.ok) {
    ackFrame(r.message, NOW, r.message.encrypted ? KEY : null);
    for (const e of r.message.events)
      if (e.protocol === 'sia') siaMeaning(e.code);
      else cidMeaning(e.code, e.qualifier);
  } else if (r.failure.reply === 'DUH') {
    const p = r.failure.partial;
    duhFrame({ seq: p.seq ?? '0000', receiver: p.receiver ?? null, prefix: p.prefix ?? '0', account: p.account ?? null });
  } else if (r.failure.reply !== 'NAK') {
    throw new InvariantBroken(`unknown reply ${JSON.stringify(r)}`);
  }
}

/** A body ("ID"…) as a frame with a right CRC and length, so the parser's deeper paths are reached. */
function rawFrameOf(body: Buffer): RawFrame {
  return { body, crc: crc16(body), crcForm: 'hex', declaredLength: body.length, lengthForm: 'hex' };
}

const dc09Seeds = (): Buffer[] => [
  frameOf('"SIA-DCS"0042R1L0#1234[#1234|Nri1/BA012/BA013][X7.4246][Y43.7384][IKitchen door]_05:59:55,12-03-2026'),
  frameOf('"ADM-CID"0001L0#1234[#1234|1130 01 015]_06:00:00,12-03-2026'),
  frameOf('"NULL"0003L0#1234[]'),
  signalFrame({ id: 'SIA-DCS', seq: 7, account: 'AB12', data: 'Nri2/FA001', key: KEY, now: NOW - 10_000 }),
  signalFrame({ id: 'ADM-CID', seq: 8, account: 'AB12', data: '3401 02 007', key: KEY, now: NOW }),
  frameOf('"SIA-DCS"0005L0#5678[#5678|Nti12:30/id3/OP001^front^]_13:59:00,12-03-2026'),
  // Issue 14's variant forms: bar without account, no L field, ^area name^, empty data, ti with
  // seconds, L0A0, UTF-8 text, another account in the data block, padding without '|'.
  frameOf('"SIA-DCS"0010L0#1234[|Nri1/BA001]_12:00:00,12-03-2026'),
  frameOf('"ADM-CID"0011#1234[|1602 00 000]_12:00:00,12-03-2026'),
  frameOf('"SIA-DCS"0012L0A0#1234[#1234|Nri1^Ground floor^/BA001^Hall PIR^][IPorte d\xe2\x80\x99entr\xc3\xa9e]_12:00:00,12-03-2026'),
  frameOf('"SIA-DCS"0013L0#1234[]_12:00:00,12-03-2026'),
  frameOf('"SIA-DCS"0014L0#1234[#0000|Nti12:30:45/Npi0/AT][RLivingRoom]_12:00:00,12-03-2026'),
  signalFrame({ id: 'SIA-DCS', seq: 15, account: 'AB12', prefix: null, data: 'Nri1/BA001', dataAccount: 'bar', key: KEY, padWithoutBar: true, now: NOW }),
  signalFrame({ id: 'ADM-CID', seq: 16, account: 'AB12', data: '1602 00 000', dataAccount: 'bar', key: KEY, now: NOW }),
];
const DC09_TOKENS = [
  '\n',
  '\r',
  '"',
  '*',
  '"SIA-DCS"',
  '"ADM-CID"',
  '"NULL"',
  '"*SIA-DCS"',
  'L0',
  'R1',
  '#AB12',
  '#1234',
  '[',
  ']',
  '|',
  '/',
  'ri',
  'ti',
  'id',
  '^',
  '_12:00:00,12-03-2026',
  '0FFF',
  '0000',
  'L0A0',
  '[|',
  '[]',
  '^Hall^',
  'ti12:30:45',
  'pi0',
  '\xc3\xa9',
  '\x92',
];

const CAP_SEED = `<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>vigil-1</identifier><sender>vigil@city.example</sender><sent>2026-12-03T12:00:00+00:00</sent>
  <status>Actual</status><msgType>Alert</msgType><scope>Public</scope>
  <info>
    <language>en-GB</language><category>Met</category><event>Flood</event><responseType>Evacuate</responseType>
    <urgency>Immediate</urgency><severity>Severe</severity><certainty>Observed</certainty>
    <headline>Flash flood in Fontvieille</headline><instruction>Go upstairs.</instruction>
    <parameter><valueName>x</valueName><value>1</value></parameter>
    <area><areaDesc>Fontvieille</areaDesc><polygon>43.7270,7.4130 43.7310,7.4130 43.7310,7.4200 43.7270,7.4130</polygon><circle>43.73,7.42 0.5</circle></area>
  </info>
</alert>`;

const OSM_SEED = `<?xml version="1.0" encoding="UTF-8"?>
<osm version="0.6">
  <bounds minlat="43.72" minlon="7.40" maxlat="43.75" maxlon="7.44"/>
  <node id="1" lat="43.73" lon="7.42"><tag k="amenity" v="police"/><tag k="name" v="Poste"/></node>
  <node id="2" lat="43.74" lon="7.42"/>
  <node id="3" lat="43.74" lon="7.43"/>
  <way id="10"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="1"/><tag k="building" v="yes"/></way>
  <relation id="20"><member type="way" ref="10" role="outer"/><tag k="type" v="multipolygon"/></relation>
</osm>`;

export const TARGETS: FuzzTarget[] = [
  {
    name: 'dc09-framer',
    seeds: dc09Seeds().map((f, i, all) => Buffer.concat([f, all[(i + 1) % all.length]!])),
    tokens: DC09_TOKENS,
    maxBytes: 8 * 1024,
    run(input) {
      const framer = new Dc09Framer();
      // Cut where the input says: the first byte chooses the segment size.
      const step = 1 + ((input[0] ?? 0) % 97);
      for (let at = 0; at < input.length; at += step) {
        for (const f of framer.push(input.subarray(at, at + step)).frames) parseAndReply(f);
        if (framer.pending > MAX_FRAME_BYTES + 16) throw new InvariantBroken(`framer holds ${framer.pending} bytes`);
      }
      if (framer.crBytesScanned > 2 * input.length + 64) throw new InvariantBroken(`CR search scanned ${framer.crBytesScanned} for ${input.length}`);
    },
  },
  {
    name: 'dc09-parser',
    seeds: dc09Seeds().map((f) => f.subarray(9, -1)),
    tokens: DC09_TOKENS,
    maxBytes: 4096,
    run(input) {
      parseAndReply(rawFrameOf(input));
    },
  },
  {
    name: 'contact-id',
    seeds: ['1130 01 015', '313001015', '6602 00 000', '1401 01 003', '1 130 01 015'].map(latin1),
    tokens: ['1', '3', '6', ' ', '130', '401', 'FF', '0', '|', ']', '#'],
    maxBytes: 256,
    run(input) {
      parseAndReply(rawFrameOf(latin1(`"ADM-CID"0001L0#1234[#1234|${input.toString('latin1')}]_12:00:00,12-03-2026`)));
      parseAndReply(rawFrameOf(latin1(`"ADM-CID"0001L0[${input.toString('latin1')}]`)));
    },
  },
  {
    name: 'sia-dc03',
    seeds: ['Nri1/BA012/BA013', 'Nti12:30/id3/OP001', 'Nri2/FA001^Kitchen^', 'ONpi1/RP', 'NYS', 'Nid12/CL0012^x^/ri3/BH012'].map(latin1),
    tokens: ['N', 'O', '/', 'ri', 'ti', 'id', 'pi', '^', 'BA', 'FA', 'XX', '99', ':', ']', '|'],
    maxBytes: 512,
    run(input) {
      parseAndReply(rawFrameOf(latin1(`"SIA-DCS"0001L0#1234[#1234|${input.toString('latin1')}]_12:00:00,12-03-2026`)));
    },
  },
  {
    name: 'mqtt-payloads',
    seeds: [
      '{"type":"smoke","state":"alarm"}',
      '{"type":"noise","value":71.5,"unit":"dB"}',
      '{"type":"people-count","in":4,"out":1,"at":"2026-12-03T12:00:00Z"}',
      '{"lat":43.73,"lon":7.42,"at":"2026-12-03T11:59:30Z","speed":12,"heading":90}',
    ].map(utf8),
    tokens: [
      '{',
      '}',
      '[',
      ']',
      '"',
      ':',
      ',',
      'null',
      'true',
      '1e999',
      '-0',
      '"type"',
      '"value"',
      '"state"',
      '"at"',
      '"lat"',
      '"lon"',
      '"__proto__"',
      '"in"',
      '"out"',
    ],
    maxBytes: 4096,
    run(input) {
      const sensor = parseSensorMessage(input);
      if (sensor.ok) sensorSignalFields(sensor.message);
      parseAvlMessage(input, NOW);
      let json: unknown;
      try {
        json = JSON.parse(input.toString('utf8'));
      } catch {
        return;
      }
      checkPeopleCountMessage(json);
    },
  },
  {
    name: 'cap-xml',
    seeds: [utf8(CAP_SEED)],
    tokens: CAP_TOKENS,
    maxBytes: 16 * 1024,
    run(input) {
      try {
        parseCapXml(input.toString('utf8'));
      } catch (error) {
        refusal(error);
      }
    },
  },
  {
    // The XSD check every CAP document passes first (libxml2 in WebAssembly, on its validator thread):
    // a verdict for any input — never a rejected promise or a dead thread — with a reason when it refuses.
    name: 'cap-xsd',
    seeds: [utf8(CAP_SEED)],
    tokens: CAP_TOKENS,
    maxBytes: 16 * 1024,
    async run(input) {
      const { valid, errors } = await validateCapXml(input.toString('utf8'));
      if (valid !== (errors.length === 0)) throw new InvariantBroken(`valid ${valid} with ${errors.length} errors`);
    },
  },
  {
    name: 'osm-xml',
    seeds: [utf8(OSM_SEED)],
    tokens: [
      '<node',
      '<way',
      '<relation',
      '<nd ref="1"/>',
      '<member type="way" ref="10" role="outer"/>',
      '<tag k="name" v="x"/>',
      'lat="',
      'lon="',
      'id="',
      '/>',
      '>',
      '</osm>',
      '&amp;',
    ],
    maxBytes: 16 * 1024,
    async run(input) {
      const file = join(scratch(), 'fuzz.osm');
      writeFileSync(file, input);
      try {
        await readOsm(file, input.length);
      } catch (error) {
        refusal(error);
      }
    },
  },
  {
    name: 'osm-pbf',
    seeds: [tinyPbf({ zlib: true })],
    tokens: ['\x00\x00\x00\x0d', 'OSMData', 'OSMHeader', 'DenseNodes', '\x78\x9c', '\xff\xff\xff\xff\x0f', '\x08\x01', '\x12\x00', '\x1a\x03'],
    maxBytes: 16 * 1024,
    async run(input) {
      const file = join(scratch(), 'fuzz.osm.pbf');
      writeFileSync(file, input);
      try {
        await readOsm(file, input.length);
      } catch (error) {
        refusal(error);
      }
    },
  },
  {
    name: 'geojson',
    seeds: [
      '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Point","coordinates":[7.42,43.73]},"properties":{"name":"Gate A","capacity":300}}]}',
      '{"type":"FeatureCollection","features":[{"type":"Feature","geometry":{"type":"Polygon","coordinates":[[[7.41,43.72],[7.42,43.72],[7.42,43.73],[7.41,43.72]]]},"properties":{}}]}',
      '{"type":"LineString","coordinates":[[7.41,43.72],[7.42,43.73]]}',
    ].map(utf8),
    tokens: [
      '{',
      '}',
      '[',
      ']',
      ',',
      '"type"',
      '"Point"',
      '"Polygon"',
      '"LineString"',
      '"coordinates"',
      '"features"',
      '"properties"',
      '1e400',
      'null',
      '"__proto__"',
      '[[[',
      ']]]',
    ],
    maxBytes: 8 * 1024,
    run(input) {
      let json: unknown;
      try {
        json = JSON.parse(input.toString('utf8'));
      } catch {
        return;
      }
      for (const parse of [() => parseLayer(json), () => parseGeometry(json, ['Point', 'LineString', 'Polygon'])]) {
        try {
          parse();
        } catch (error) {
          refusal(error);
        }
      }
    },
  },
  {
    name: 'csv-imports',
    seeds: [
      'variable,area,period,value\npopulation,Monaco-Ville,2025,1020\nburglaries,"La Condamine",2025-Q3,4\n',
      'indicator,peer,period,value\r\nresponse-time,"Nice, FR",2025-07,8.5\r\n',
    ].map(utf8),
    tokens: [',', '"', '""', '\n', '\r\n', 'variable', 'area', 'period', 'value', 'indicator', 'peer', '2025-Q5', '2025-13', '-1', 'NaN'],
    maxBytes: 16 * 1024,
    run(input) {
      const text = input.toString('utf8');
      try {
        parseCsv(text);
      } catch (error) {
        refusal(error);
      }
      const vars = new Map([['population', { id: 'population', kind: 'count', unit: 'people', origin: 'statistics', description: '' }]]) as never;
      for (const parse of [
        () => parseStatistics({ source: 'fuzz', format: 'csv', content: text }, 'imp-1', vars, (ref) => (ref === 'Monaco-Ville' ? 'area-1' : null)),
        () => parsePeers({ source: 'fuzz', format: 'csv', content: text }, 'imp-1', new Map([['response-time', { measure: 'distribution' as const }]])),
      ]) {
        try {
          parse();
        } catch (error) {
          refusal(error);
        }
      }
    },
  },
  {
    // Other agencies' bytes (exchange lane): the charset decoder, then the feed reader on what it decoded.
    name: 'cap-charset-feed',
    seeds: [
      latin1(
        '<?xml version="1.0" encoding="ISO-8859-1"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>urn:x</id><link type="application/cap+xml" href="/a.xml"/></entry></feed>',
      ),
      Buffer.concat([
        Buffer.from([0xff, 0xfe]),
        Buffer.from('<?xml version="1.0" encoding="UTF-16"?><rss><channel><item><link>https://a.example/1.xml</link></item></channel></rss>', 'utf16le'),
      ]),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), utf8('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>Usulután</identifier></alert>')]),
      Buffer.from('<?xml version="1.0" encoding="UTF-16"?><feed/>', 'utf16le').swap16(),
    ],
    tokens: [
      '<?xml version="1.0" encoding="',
      'ISO-8859-1',
      'UTF-16',
      'utf-8',
      '"?>',
      '\xff\xfe',
      '<entry>',
      '<link href="',
      '<item>',
      '<enclosure url="',
      '<!DOCTYPE',
    ],
    maxBytes: 4096,
    run(input) {
      for (const charset of [null, 'iso-8859-1', 'utf-16']) {
        let text: string;
        try {
          text = decodeXml(input, charset).text;
        } catch (error) {
          refusal(error);
          continue;
        }
        if (typeof text !== 'string') throw new InvariantBroken('decodeXml gave no text');
        try {
          const feed = readFeed(text, 'https://agency.example/feed');
          for (const e of feed.entries) if (!/^https?:\/\//.test(e.url)) throw new InvariantBroken(`a feed entry links ${e.url}`);
        } catch (error) {
          if (error instanceof InvariantBroken) throw error;
          refusal(error);
        }
      }
    },
  },
  {
    name: 'syslog',
    seeds: [
      '<34>1 2026-12-04T09:14:15.003Z fw.example.net sshd 8710 ID47 [auth@32473 src="203.0.113.9" user="root"][x@1 a="q\\"b"] Failed password\n',
      '<13>Dec  4 09:14:15 siren-ctl-7 kernel[12]: IN=eth0 SRC=198.51.100.7\n',
      '48 <86>1 2026-12-04T09:14:16Z fw-1 pf - - - blocked',
      'no pri at all\n',
    ].map(utf8),
    tokens: ['<', '>', '1 ', '-', ' ', '[', ']', '=', '"', '\\', '\n', '\r', '\0', '12 ', '99999 ', '2026-12-04T09:14:15Z', 'Dec  4 ', '@', ':', '\uFEFF'],
    maxBytes: 16 * 1024,
    run(input) {
      // Cut where the input says (as for DC-09), through the framer, then every message parsed.
      const framer = new SyslogFramer(2048);
      const step = 1 + ((input[0] ?? 0) % 61);
      for (let at = 0; at < input.length; at += step) {
        const r = framer.push(input.subarray(at, at + step));
        for (const m of r.messages) {
          if (m.length > 2048) throw new InvariantBroken(`framer gave a ${m.length}-byte message over its 2048 limit`);
          const p = parseSyslog(m, NOW, 2048);
          if (p.ok && (p.message.severity > 7 || p.message.facility > 23))
            throw new InvariantBroken(`PRI out of range: ${p.message.facility}.${p.message.severity}`);
        }
      }
      parseSyslog(input, NOW, 16 * 1024);
    },
  },
  {
    name: 'stix-bundle',
    seeds: [
      `{"type":"bundle","id":"bundle--1","objects":[{"type":"indicator","id":"indicator--1","pattern":"[ipv4-addr:value = '203.0.113.9'] OR [domain-name:value = 'x.example']","pattern_type":"stix"}]}`,
    ].map(utf8),
    tokens: ['{', '}', '[', ']', '"', "'", '\\', ' OR ', ' AND ', 'indicator', 'pattern', 'ipv4-addr:value', "file:hashes.'SHA-256'", '=', ','],
    maxBytes: 16 * 1024,
    run(input) {
      let json: unknown;
      try {
        json = JSON.parse(input.toString('utf8'));
      } catch {
        return;
      }
      try {
        stixIndicators(json, 'fuzz');
      } catch (error) {
        refusal(error);
      }
    },
  },
  {
    // Device security: CVE JSON 5 records / the KEV catalogue, then matching what was read (vendor version strings).
    name: 'cve-json',
    seeds: [
      '{"dataType":"CVE_RECORD","cveMetadata":{"cveId":"CVE-2024-6979"},"containers":{"cna":{"affected":[{"vendor":"Axis","product":"AXIS OS","defaultStatus":"unaffected","versions":[{"version":"11.11.0","lessThan":"11.11.94","status":"affected","versionType":"semver"}]}],"metrics":[{"cvssV3_1":{"baseScore":6.8}}]},"adp":[{"affected":[{"vendor":"axis","product":"axis_os","cpes":["cpe:2.3:o:axis:axis_os:*:*:*:*:*:*:*:*"],"versions":[{"version":"0","lessThan":"2.*","status":"affected","changes":[{"at":"1.5","status":"unaffected"}]}]}]}]}}',
      '{"dataType":"CVE_RECORD","cveMetadata":{"cveId":"CVE-2024-23485"},"containers":{"cna":{"affected":[{"vendor":"Gallagher","product":"Controller 6000 and Controller 7000","defaultStatus":"affected","versions":[{"version":"9.10","lessThan":"vCR9.10.240520a","status":"affected","versionType":"custom"},{"version":"V5.0.3 and prior","status":"affected"},{"version":"AXIS OS 6.50 – 11.5","status":"affected"}]}]}}}',
      '{"catalogVersion":"2025.08.25","count":1,"vulnerabilities":[{"cveID":"CVE-2024-1086","vendorProject":"Linux","product":"Kernel","knownRansomwareCampaignUse":"Known"}]}',
    ].map(utf8),
    tokens: [
      '"versions"',
      '"lessThan"',
      '"lessThanOrEqual"',
      '"changes"',
      '"at"',
      '"*"',
      '"2.*"',
      '"0"',
      'vCR',
      ' and prior',
      ' – ',
      '"semver"',
      '"git"',
      'cpe:2.3:',
      '[',
      ']',
      '{',
      '}',
      ',',
      'null',
      '1e400',
    ],
    maxBytes: 16 * 1024,
    run(input) {
      let json: unknown;
      try {
        json = JSON.parse(input.toString('utf8'));
      } catch {
        return;
      }
      try {
        const intel = readIntel(json);
        const m = new Matcher();
        for (const r of intel.cves) {
          m.addCve(r);
          for (const a of r.affected) {
            for (const c of a.cpes) parseCpe(c);
            m.matchSubject({
              names: [
                { vendor: a.vendor, product: a.product },
                { vendor: null, product: a.product },
              ],
              version: a.versions[0]?.lessThan ?? '1.0',
            });
          }
        }
      } catch (error) {
        refusal(error);
      }
      parsePurl(input.toString('utf8').slice(0, 300));
    },
  },
  {
    // Device security: CycloneDX JSON SBOMs (schema validation, then reading components).
    name: 'cyclonedx-json',
    seeds: [
      '{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"component":{"type":"firmware","name":"Bleeper Sonic 1600","version":"4.2.0"}},"components":[{"type":"library","name":"openssl","version":"3.0.7","purl":"pkg:generic/openssl@3.0.7","components":[{"type":"library","name":"zlib","version":"1.3"}]}]}',
      '{"bomFormat":"CycloneDX","specVersion":"1.4","version":1,"components":[{"type":"operating-system","name":"linux-kernel","version":"5.10.120","bom-ref":"k"}]}',
    ].map(utf8),
    tokens: [
      '"components"',
      '"bom-ref"',
      '"purl"',
      '"cpe"',
      '"specVersion"',
      '"1.2"',
      '"1.5"',
      '"1.7"',
      '"type"',
      '"library"',
      '{',
      '}',
      '[',
      ']',
      ',',
      'null',
    ],
    maxBytes: 8 * 1024,
    async run(input) {
      try {
        await readSbom(input.toString('utf8'));
      } catch (error) {
        refusal(error);
      }
    },
  },
  {
    // Open311 POST bodies (citizen reports): url-encoded and multipart forms, the photo inside, the report rules and GET filters.
    name: 'open311-forms',
    seeds: [
      utf8('api_key=vigil-citizen-app&service_code=blocked-emergency-exit&lat=43.7391&long=7.4269&attribute[building_open]=yes&email=a%40b.mc'),
      utf8('service_code=graffiti&address_string=Place+du+Casino&attribute[offensive][]=yes&description=%E2%9C%93'),
      Buffer.concat([
        utf8(
          '--B\r\nContent-Disposition: form-data; name="service_code"\r\n\r\nflooding\r\n--B\r\nContent-Disposition: form-data; name="media"; filename="p.jpg"\r\nContent-Type: image/jpeg\r\n\r\n',
        ),
        jpegWithExif(43.74, 7.42),
        utf8('\r\n--B--\r\n'),
      ]),
      TINY_JPEG,
    ],
    tokens: [
      '&',
      '=',
      '%',
      '%C3%A9',
      '+',
      'attribute[',
      ']',
      '[]',
      'lat=',
      'long=',
      '\r\n',
      '--B',
      'Content-Disposition: form-data; name=',
      'filename=',
      '\xff\xd8\xff\xe1',
      'Exif\0\0',
      'MM\0*',
    ],
    maxBytes: 8192,
    run(input) {
      const context = {
        jurisdictionId: 'monaco',
        apiKeys: new Map([[CITIZEN_APP_API_KEY, 'app']]),
        locate: (a: string) => (a.length > 3 ? { position: [7.42, 43.73] as [number, number], address: a } : null),
        inCity: () => true,
      };
      const forms = [];
      for (const parse of [() => parseUrlEncoded(input.toString('utf8')), () => parseMultipart(input, boundaryOf('multipart/form-data; boundary=B'))]) {
        try {
          forms.push(parse());
        } catch (error) {
          if (!(error instanceof FormError)) throw error;
        }
      }
      for (const form of forms) {
        checkClient(form, context);
        const r = checkReport(form, context, 'fuzz');
        if (r.ok && !(Math.abs(r.value.position[1]) <= 90 && Math.abs(r.value.position[0]) <= 180))
          throw new InvariantBroken('a report outside the globe was accepted');
        for (const f of form.files) {
          try {
            const p = stripPhoto(f.data);
            if (p.data.includes(Buffer.from('Exif\0\0'))) throw new InvariantBroken('EXIF left in a stripped photo');
          } catch (error) {
            if (!(error instanceof PhotoError)) throw error;
          }
        }
        const q: Record<string, string | undefined> = {};
        for (const [k, v] of form.fields) q[k] = v[0];
        parseRequestsQuery(q, NOW);
      }
      try {
        stripPhoto(input);
      } catch (error) {
        if (!(error instanceof PhotoError)) throw error;
      }
    },
  },
  {
    // What a partner agency's hub delivers: an EDXL-DE envelope (XML or JSON) and what it carries.
    name: 'edxl',
    seeds: [
      utf8(HUB_JSON),
      utf8(DE2_XML),
      utf8(VIGIL_EARLIER_XML),
      utf8(edxlDe.distributionToXml(edxlDe.wrapCap(CAP_DOC, { distributionId: 'd-1', senderId: 'a', to: ['b'], now: NOW }))),
      utf8(
        edxlDe.distributionToXml(
          edxlDe.envelope({ distributionId: 'd-2', senderId: 'a', to: ['b'], kind: 'Report', now: NOW, contents: [{ xml: HAVE_DOC }, { xml: RM_DOC }] }),
        ),
      ),
    ],
    tokens: [
      '<',
      '>',
      '</',
      '/>',
      '{',
      '}',
      '"',
      ',',
      '[',
      ']',
      '<content>',
      '<contentObject>',
      '<embeddedXMLContent>',
      '<Content>',
      '<ContentObject>',
      '<ContentXML>',
      '<EmbeddedXMLContent>',
      '<Descriptor>',
      '<StatusKindDefault>',
      '<ct:Value>',
      '"jsonContent"',
      '"descriptor"',
      '&amp;',
      '<!DOCTYPE a [<!ENTITY x "y">]>',
      'xmlns="urn:oasis:names:tc:emergency:EDXL:DE:2.0"',
    ],
    maxBytes: 32 * 1024,
    run(input) {
      try {
        const d = edxlDe.parseDistribution(input.toString('utf8'));
        for (const { type, content } of edxlDe.unwrap(d)) {
          try {
            if (type === 'have') edxlHave.haveFromXml(content.xml!);
            else if (type === 'rm') edxlRm.rmFromXml(content.xml!);
            else if (type === 'sitrep') sitRep.sitRepFromXml(content.xml!);
            else if (type === 'json') readIncidentMessage(content.json);
          } catch (error) {
            refusal(error);
          }
        }
        // What was accepted writes back out.
        edxlDe.distributionToXml(d);
        edxlDe.distributionToJson(d);
      } catch (error) {
        refusal(error);
      }
    },
  },
];

let scratchDir: string | null = null;
function scratch(): string {
  if (!scratchDir) {
    scratchDir = mkdtempSync(join(tmpdir(), 'vigil-fuzz-'));
    const dir = scratchDir;
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  }
  return scratchDir;
}
