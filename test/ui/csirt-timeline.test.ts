import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ALERT_RULES, TIMELINE_KINDS, type TimelineEntry } from '../../src/csirt/contract.js';
import {
  ADVISORY_SENTENCES,
  ALERT_TITLES,
  OBSERVABLE_ORIGIN_SENTENCES,
  TIMELINE_SENTENCES,
  advisoryText,
  alertTitle,
  observableNote,
  timelineText,
  withNames,
} from '../../web/src/csirt-timeline.js';
import en from '../../web/src/locales/en.json' with { type: 'json' };
import fr from '../../web/src/locales/fr.json' with { type: 'json' };

const french = (k: string): string => (fr as Record<string, string>)[k] ?? k;
const english = (k: string): string => (en as Record<string, string>)[k] ?? k;
const names: Record<string, string> = { 'user:u-nina': 'Nina CSIRT', 'dev:camera:7': 'Camera — Port Hercule' };
const name = (ref: string): string => names[ref] ?? 'someone';
const entry = (kind: TimelineEntry['kind'], params: Record<string, string | number>, what = 'english line'): TimelineEntry => ({
  at: '',
  actor: '',
  what,
  kind,
  params,
});

test('a CSIRT timeline entry reads as a sentence in the reader language: slugs by their words, people and devices by name', () => {
  const cases: [TimelineEntry, string, string][] = [
    [
      entry('closed', { resolution: 'true-positive', note: 'badge cloned' }),
      'Dossier clos : incident avéré — badge cloned',
      'Case closed: true positive — badge cloned',
    ],
    [entry('closed', { resolution: 'false-positive', note: '' }), 'Dossier clos : fausse alerte', 'Case closed: false positive'],
    [
      entry('updated', { status: 'in-progress', assignee: 'user:u-nina' }),
      'Modifié : Statut → en cours, Responsable → Nina CSIRT',
      'Changed: Status → in progress, Assignee → Nina CSIRT',
    ],
    [entry('updated', { tlp: 'amber' }), 'Modifié : TLP → AMBER', 'Changed: TLP → AMBER'],
    [entry('alerts-linked', { n: 2 }), 'Alertes rattachées : 2', 'Alerts linked: 2'],
    [
      entry('observable-added', { type: 'device', value: 'dev:camera:7' }),
      'Observable ajouté : Équipement Camera — Port Hercule',
      'Observable added: Device Camera — Port Hercule',
    ],
    [
      entry('artefact-erased', { name: 'kernel.log', why: 'retention', note: '' }),
      'Pièce kernel.log effacée (durée de conservation atteinte)',
      'Artefact kernel.log erased (retention period reached)',
    ],
    [
      entry('finding-triaged', {
        cve: 'CVE-2024-1',
        device: 'Siren — Fontvieille',
        state: 'not-affected',
        justification: 'code_not_reachable',
        detail: 'nf_tables not loaded',
      }),
      'Vulnérabilité CVE-2024-1 sur Siren — Fontvieille : non concerné (code non atteignable) — nf_tables not loaded',
      'Finding CVE-2024-1 on Siren — Fontvieille: not affected (code not reachable) — nf_tables not loaded',
    ],
    [entry('reopened', {}), 'Dossier rouvert', 'Case reopened'],
    [
      entry('task-added', { title: 'Block the address', owner: 'user:u-nina' }),
      'Tâche ajoutée : Block the address (Nina CSIRT)',
      'Task added: Block the address (Nina CSIRT)',
    ],
    [entry('comment', { text: 'Called the vendor.' }), 'Called the vendor.', 'Called the vendor.'],
  ];
  for (const [e, fr, enText] of cases) {
    assert.equal(timelineText(french, e, name), fr, `${e.kind} in French`);
    assert.equal(timelineText(english, e, name), enText, `${e.kind} in English`);
  }
  // An entry written before kinds existed keeps its English line.
  assert.equal(timelineText(french, { what: 'closed: true-positive' }, name), 'closed: true-positive');
});

test('every kind of timeline entry has its sentence, in French too, with the same placeholders', () => {
  for (const kind of TIMELINE_KINDS) {
    const key = TIMELINE_SENTENCES[kind];
    assert.ok(key, kind);
    assert.ok((fr as Record<string, string>)[key], `${kind} in French`);
  }
  // No slug of a resolution, status or triage state survives in French.
  for (const [kind, params] of [
    ['closed', { resolution: 'true-positive' }],
    ['updated', { status: 'in-progress' }],
    ['finding-triaged', { cve: 'CVE-1', device: 'x', state: 'not-affected', justification: '', detail: '' }],
  ] as const)
    assert.doesNotMatch(timelineText(french, entry(kind, params), name), /true-positive|in-progress|not-affected/);
});

test("a CSIRT alert's title reads in the reader language by its rule; the device by name; an older alert keeps its title", () => {
  const a = {
    rule: 'device-new-network' as const,
    title: 'Device dev:camera:7 seen on a new network 198.51.100.0/24',
    params: { device: 'dev:camera:7', network: '198.51.100.0/24' },
  };
  assert.equal(withNames(alertTitle(french, a), name), 'Équipement Camera — Port Hercule vu sur un nouveau réseau 198.51.100.0/24');
  assert.equal(alertTitle(english, { rule: 'tamper', title: 'Tamper signal from a panel', params: { source: '' } }), 'Tamper signal from a panel');
  assert.equal(alertTitle(french, { rule: 'tamper', title: 'Tamper signal from a panel', params: { source: '' } }), 'Signal d’autoprotection : une centrale');
  assert.equal(alertTitle(french, { rule: 'failed-signins', title: 'Failed sign-ins from 203.0.113.9' }), 'Failed sign-ins from 203.0.113.9');
  for (const rule of ALERT_RULES) assert.ok((fr as Record<string, string>)[ALERT_TITLES[rule]], `${rule} in French`);
});

test("an observable the desk added itself says where it came from in the reader's language; a person's note and an older English note stay as written", () => {
  const cases: [Parameters<typeof observableNote>[1], string, string][] = [
    [
      { note: 'from alert: Failed sign-ins from 192.0.2.50', origin: { kind: 'alert', rule: 'failed-signins', params: { ip: '192.0.2.50' } } },
      'Issu de l’alerte : Connexions refusées depuis 192.0.2.50',
      'From alert: Failed sign-ins from 192.0.2.50',
    ],
    [
      { note: 'x', origin: { kind: 'alert', rule: 'device-new-network', params: { device: 'dev:camera:7', network: '198.51.100.0/24' } } },
      'Issu de l’alerte : Équipement Camera — Port Hercule vu sur un nouveau réseau 198.51.100.0/24',
      'From alert: Device Camera — Port Hercule seen on a new network 198.51.100.0/24',
    ],
    [
      { note: 'finding: Siren — Fontvieille', origin: { kind: 'finding-device', device: 'Siren — Fontvieille' } },
      'Vulnérabilité sur Siren — Fontvieille',
      'Finding on Siren — Fontvieille',
    ],
    [
      { note: 'finding: CVE-2024-1086 (known exploited)', origin: { kind: 'finding-cve', cve: 'CVE-2024-1086', kev: true } },
      'Vulnérabilité CVE-2024-1086 (exploitée)',
      'Finding CVE-2024-1086 (known exploited)',
    ],
    [{ note: 'finding: CVE-2024-1', origin: { kind: 'finding-cve', cve: 'CVE-2024-1', kev: false } }, 'Vulnérabilité CVE-2024-1', 'Finding CVE-2024-1'],
    [{ note: 'artefact: kernel.log', origin: { kind: 'artefact', name: 'kernel.log' } }, 'Pièce kernel.log', 'Artefact kernel.log'],
    [{ note: 'the firewall' }, 'the firewall', 'the firewall'],
    [{ note: 'finding: dev:camera:7' }, 'finding: Camera — Port Hercule', 'finding: Camera — Port Hercule'],
  ];
  for (const [o, frText, enText] of cases) {
    assert.equal(observableNote(french, o, name), frText, `${o.origin?.kind ?? 'note'} in French`);
    assert.equal(observableNote(english, o, name), enText, `${o.origin?.kind ?? 'note'} in English`);
  }
  for (const key of Object.values(OBSERVABLE_ORIGIN_SENTENCES)) assert.ok((fr as Record<string, string>)[key], `${key} in French`);
});

test('an advisory the desk wrote from findings reads in the owner’s language; one the CSIRT wrote stays as written', () => {
  const about = {
    ref: 'CSIRT-2026-0001',
    findings: [
      { cve: 'CVE-2024-1086', kev: true, device: 'Siren — Fontvieille', component: 'linux-kernel 5.10.120', priority: 'P1' },
      { cve: 'CVE-2024-1', kev: false, device: 'Camera — Port Hercule', component: null, priority: 'P3' },
    ],
  };
  assert.equal(
    advisoryText(french, { body: 'english', about }),
    [
      'Le CSIRT de la ville a ouvert le dossier CSIRT-2026-0001 sur des vulnérabilités de vos équipements :',
      '- CVE-2024-1086 (exploitée) sur Siren — Fontvieille (linux-kernel 5.10.120) : P1',
      '- CVE-2024-1 sur Camera — Port Hercule : P3',
      'Merci de confirmer, puis de corriger ou d’atténuer et de l’indiquer sur le constat (Sécurité des équipements).',
    ].join('\n'),
  );
  assert.match(
    advisoryText(english, { body: 'english', about }),
    /^The city CSIRT opened case CSIRT-2026-0001[\s\S]*- CVE-2024-1086 \(known exploited\) on Siren/,
  );
  assert.equal(advisoryText(french, { body: 'Patch the VPN portal.' }), 'Patch the VPN portal.');
  for (const key of Object.values(ADVISORY_SENTENCES)) assert.ok((fr as Record<string, string>)[key], `${key} in French`);
});
