import assert from 'node:assert/strict';
import { test } from 'node:test';
import { main } from './main.js';

const COMMANDS = ['serve', 'demo', 'init', 'org', 'import-osm', 'audit', 'retention', 'user', 'migrate', 'dc09-send', 'mosquitto-acl', 'vuln'];

test('vigil <command> --help answers every command with its usage, exit 0, without running it', async (t) => {
  const printed: string[] = [];
  t.mock.method(console, 'log', (s: string) => printed.push(s));
  t.mock.method(console, 'error', (s: string) => printed.push(`error: ${s}`));
  for (const command of COMMANDS) {
    for (const flag of ['--help', '-h']) {
      printed.length = 0;
      assert.equal(await main([command, flag]), 0, `${command} ${flag}`);
      assert.equal(printed.length, 1, `${command} ${flag} prints its usage once`);
      assert.match(printed[0]!, new RegExp(`^Usage: vigil ${command}\\b`), command);
      assert.doesNotMatch(printed[0]!, /Unknown option|unknown command/);
    }
  }
});
