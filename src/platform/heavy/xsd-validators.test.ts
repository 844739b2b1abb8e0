import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { test } from 'node:test';
import { XsdValidators } from './xsd-validators.js';

const SCHEMA = `<?xml version="1.0"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:test" xmlns="urn:test" elementFormDefault="qualified">
  <xs:element name="note">
    <xs:complexType><xs:sequence>
      <xs:element name="level"><xs:simpleType><xs:restriction base="xs:string">
        <xs:enumeration value="low"/><xs:enumeration value="high"/>
      </xs:restriction></xs:simpleType></xs:element>
      <xs:element name="text" type="xs:string"/>
    </xs:sequence></xs:complexType>
  </xs:element>
</xs:schema>`;
const note = (level: string, text = 'ok') => `<?xml version="1.0"?>\n<note xmlns="urn:test">\n  <level>${level}</level>\n  <text>${text}</text>\n</note>`;

test('XSD validators: one thread kept across runs, each document judged alone, errors name their line', async () => {
  const validators = new XsdValidators('note.xsd', SCHEMA);
  for (let i = 0; i < 5; i++) assert.deepEqual(await validators.validate([note('low')]), [{ valid: true, errors: [] }]);
  const [good, bad, broken] = await validators.validate([note('high'), note('medium'), '<note xmlns="urn:test"><level>low</level>\n<text>']);
  assert.equal(validators.threadsStarted, 1, 'six runs, one thread');
  assert.deepEqual(good, { valid: true, errors: [] });
  assert.equal(bad!.valid, false);
  assert.match(bad!.errors[0]!, /^line 3: Element '\{urn:test\}level': \[facet 'enumeration'\] The value 'medium' is not an element of the set/);
  assert.equal(broken!.valid, false);
  assert.match(broken!.errors[0]!, /^line 2: /);
});

test('XSD validators: an external entity is neither fetched nor expanded', async () => {
  let fetched = 0;
  const server = createServer((_req, res) => (fetched++, res.end('high')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  const validators = new XsdValidators('note.xsd', SCHEMA);
  const xml = `<?xml version="1.0"?>\n<!DOCTYPE note [<!ENTITY x SYSTEM "http://127.0.0.1:${port}/x"><!ENTITY y SYSTEM "file:///etc/hostname">]>\n<note xmlns="urn:test"><level>&x;</level><text>&y;</text></note>`;
  const [result] = await validators.validate([xml]);
  server.close();
  assert.equal(fetched, 0);
  assert.equal(result!.valid, false, 'the entities stay unexpanded, so the level is not one of the set');
});

test('XSD validators: concurrent runs use a thread each, then reuse them', async () => {
  const validators = new XsdValidators('note.xsd', SCHEMA);
  const results = await Promise.all([validators.validate([note('low')]), validators.validate([note('high')])]);
  assert.equal(validators.threadsStarted, 2);
  assert.ok(results.every(([r]) => r!.valid));
  await validators.validate([note('low')]);
  assert.equal(validators.threadsStarted, 2);
});

test('XSD validators: a thread that died while idle is replaced, not handed the next run', async () => {
  const validators = new XsdValidators('note.xsd', SCHEMA);
  await validators.validate([note('low')]);
  // As a WebAssembly abort would: the kept thread stops between runs.
  const [kept] = (validators as unknown as { idle: { worker: { terminate(): Promise<number> } }[] }).idle;
  await kept!.worker.terminate();
  assert.deepEqual(await validators.validate([note('high')]), [{ valid: true, errors: [] }]);
  assert.equal(validators.threadsStarted, 2);
});
