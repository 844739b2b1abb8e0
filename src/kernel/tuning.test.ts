import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig, repoRoot } from './config.js';
import { TUNING, checkTuning, tuning, tuningChoice } from './tuning.js';

test('every tuning variable is checked at start: a bad value is refused by name, with its range', () => {
  for (const name of Object.keys(TUNING) as (keyof typeof TUNING)[]) {
    for (const bad of ['abc', String(Math.min(-1, TUNING[name].min - 1)), '2.5', String(TUNING[name].max + 1)]) {
      assert.throws(
        () => loadConfig({ [name]: bad }),
        (e: Error) => e.message.includes(name) && e.message.includes(`"${bad}"`),
        `${name}=${bad}`,
      );
    }
  }
  assert.throws(() => checkTuning({ VIGIL_WORKER_NICE: '20' }), /VIGIL_WORKER_NICE must be an integer between 0 and 19, got "20"/);
  assert.doesNotThrow(() => loadConfig({ VIGIL_WORKER_NICE: '0', VIGIL_WORKER_THREADS: '2', VIGIL_CAP_VALIDATORS: '' }));
  assert.equal(tuning('VIGIL_WORKER_NICE', {}), 10);
  // The receiver thread may ask for a higher priority (negative), never a lower one.
  assert.equal(tuning('VIGIL_DC09_RECEIVER_NICE', {}), 0);
  assert.equal(tuning('VIGIL_DC09_RECEIVER_NICE', { VIGIL_DC09_RECEIVER_NICE: '-5' }), -5);
  assert.throws(() => checkTuning({ VIGIL_DC09_RECEIVER_NICE: '5' }), /between -20 and 0/);
  // The rest of the node may only go lower (no privilege needed), never higher.
  assert.equal(tuning('VIGIL_MAIN_NICE', {}), 10);
  assert.equal(tuning('VIGIL_MAIN_NICE', { VIGIL_MAIN_NICE: '7' }), 7);
  assert.throws(() => checkTuning({ VIGIL_MAIN_NICE: '-1' }), /VIGIL_MAIN_NICE must be an integer between 0 and 19, got "-1"/);
  assert.equal(tuning('VIGIL_WORKER_THREADS', {}), null, 'no value: the pool picks cores − 1');
  assert.equal(tuning('VIGIL_PDF_PAGES', { VIGIL_PDF_PAGES: '3' }), 3);
  // Choices: one of the names, or refused by name with the choices.
  assert.throws(() => loadConfig({ VIGIL_DC09_RECEIVER: 'worker' }), /VIGIL_DC09_RECEIVER must be one of thread, main, got "worker"/);
  assert.equal(tuningChoice('VIGIL_DC09_RECEIVER', {}), 'thread');
  assert.equal(tuningChoice('VIGIL_DC09_RECEIVER', { VIGIL_DC09_RECEIVER: 'main' }), 'main');
});

test('`vigil serve` with a bad tuning value stops at once with a clear message (not a silent default)', () => {
  const run = spawnSync(process.execPath, [join(repoRoot, 'bin', 'vigil.js'), 'serve'], {
    env: { ...process.env, VIGIL_WORKER_THREADS: 'lots', VIGIL_DATA_DIR: '/nonexistent-vigil-tuning-test' },
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /vigil: VIGIL_WORKER_THREADS must be an integer between 1 and 32, got "lots"/);
});
