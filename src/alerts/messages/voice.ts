import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { getPriority, setPriority } from 'node:os';
import { Semaphore } from '../../platform/heavy/job-gate.js';
import { tuning } from '../../kernel/tuning.js';

/** At most this many espeak-ng processes at once, whoever asks. */
const espeak = new Semaphore(tuning('VIGIL_VOICE_RENDERERS')!);
/** espeak-ng processes started since the node started (tests count them). */
export const voiceRenders = { started: 0 };

/** espeak-ng voice for a CAP language tag: the primary language, English voices by region. */
export function espeakVoice(language: string): string {
  const [primary, region] = language.toLowerCase().split('-');
  if (primary === 'en') return region === 'us' ? 'en-us' : 'en-gb';
  return primary ?? 'en-gb';
}

/**
 * The voice message as a WAV file (16-bit mono PCM), rendered by espeak-ng from
 * Debian's packages. espeak-ng streams with placeholder sizes in the header; they
 * are set to the real ones so every player accepts the file.
 */
export function renderVoiceWav(text: string, language: string, options: { wordsPerMinute?: number; timeoutMs?: number } = {}): Promise<Buffer> {
  return espeak.use(() => runEspeak(text, language, options));
}

function runEspeak(text: string, language: string, options: { wordsPerMinute?: number; timeoutMs?: number }): Promise<Buffer> {
  voiceRenders.started++;
  return new Promise((resolve, reject) => {
    const child = execFile(
      'espeak-ng',
      ['-v', espeakVoice(language), '-s', String(options.wordsPerMinute ?? 150), '--stdout', '--', text],
      { encoding: 'buffer', maxBuffer: 64 * 1024 * 1024, timeout: options.timeoutMs ?? 30_000 },
      (error, stdout) => {
        if (error) return reject(new Error(`espeak-ng could not render the voice message: ${error.message}`));
        const wav = Buffer.from(stdout);
        if (wav.length < 44 || wav.toString('latin1', 0, 4) !== 'RIFF') return reject(new Error('espeak-ng did not produce a WAV file'));
        wav.writeUInt32LE(wav.length - 8, 4);
        const dataAt = wav.indexOf('data', 12, 'latin1');
        if (dataAt > 0) wav.writeUInt32LE(wav.length - dataAt - 8, dataAt + 4);
        resolve(wav);
      },
    );
    lowerPriority(child.pid);
  });
}

/**
 * A renderer runs VIGIL_WORKER_NICE below the node (like the heavy-work threads): a public
 * request's espeak-ng yields the cores to the alarm path. Lowering needs no privilege.
 */
function lowerPriority(pid: number | undefined): void {
  const nice = tuning('VIGIL_WORKER_NICE') ?? 0;
  if (pid === undefined || nice <= 0) return;
  try {
    setPriority(pid, Math.min(19, getPriority() + nice));
  } catch {
    // Gone already, or not permitted here: it renders at the node's priority.
  }
}

/** Seconds of audio in a PCM WAV file, from its header. */
export function wavSeconds(wav: Buffer): number {
  const byteRate = wav.readUInt32LE(28);
  const dataAt = wav.indexOf('data', 12, 'latin1');
  return byteRate > 0 && dataAt > 0 ? wav.readUInt32LE(dataAt + 4) / byteRate : 0;
}

/**
 * Voice messages rendered once each. The key is what is spoken and in which voice,
 * not the URL that asked, so case variants and `.wav` or not reach the same entry;
 * requests for a message being rendered wait for that rendering instead of starting
 * another espeak-ng.
 */
export class VoiceCache {
  private readonly done = new Map<string, Buffer>();
  private readonly rendering = new Map<string, Promise<Buffer>>();

  constructor(private readonly maxEntries = 200) {}

  static key(text: string, language: string): string {
    return createHash('sha256')
      .update(`${espeakVoice(language)}\n${text}`)
      .digest('hex');
  }

  async get(text: string, language: string): Promise<Buffer> {
    const key = VoiceCache.key(text, language);
    const cached = this.done.get(key);
    if (cached) return cached;
    let pending = this.rendering.get(key);
    if (!pending) {
      pending = renderVoiceWav(text, language).then((wav) => {
        if (this.done.size >= this.maxEntries) this.done.delete(this.done.keys().next().value!);
        this.done.set(key, wav);
        return wav;
      });
      this.rendering.set(key, pending);
      const forget = (): void => void this.rendering.delete(key);
      pending.then(forget, forget);
    }
    return pending;
  }
}
