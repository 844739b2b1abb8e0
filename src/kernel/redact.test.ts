import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SecretMasker, configuredSecrets, redactUrl, redactUrlsIn } from './redact.js';
import { loadConfig } from './config.js';

test('URL credentials are redacted wherever they appear in a log line', () => {
  assert.equal(redactUrl('mqtt://vigil:s3cr3t@broker:1883'), 'mqtt://vigil:***@broker:1883');
  assert.equal(redactUrl('mqtt://broker:1883/x'), 'mqtt://broker:1883/x');
  assert.equal(
    redactUrlsIn('{"msg":"connect ECONNREFUSED smpp://sms:p%40ss@10.0.0.1:2775 and postgres://u:pw@db/vigil"}'),
    '{"msg":"connect ECONNREFUSED smpp://sms:***@10.0.0.1:2775 and postgres://u:***@db/vigil"}',
  );
});

test('every configured secret is masked, URL passwords and the installation key', () => {
  const config = loadConfig({
    VIGIL_SECRET_KEY: 'ab'.repeat(32),
    VIGIL_SMTP_URL: 'smtp://mail:hunter2hunter@smtp.example:587',
    VIGIL_SMPP_URL: 'smpp://sms:p%40ssword@smsc.example:2775',
  });
  const masker = new SecretMasker(configuredSecrets(config));
  masker.add('derived-vapid-private-key');
  const line = `password hunter2hunter and p@ssword, key ${'ab'.repeat(32)}, vapid derived-vapid-private-key`;
  const out = masker.apply(line);
  for (const s of ['hunter2hunter', 'p@ssword', 'ab'.repeat(32), 'derived-vapid-private-key']) assert.equal(out.includes(s), false, s);
});
