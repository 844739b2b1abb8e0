import { execFile } from 'node:child_process';

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
  return new Promise((resolve, reject) => {
    execFile(
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
  });
}

/** Seconds of audio in a PCM WAV file, from its header. */
export function wavSeconds(wav: Buffer): number {
  const byteRate = wav.readUInt32LE(28);
  const dataAt = wav.indexOf('data', 12, 'latin1');
  return byteRate > 0 && dataAt > 0 ? wav.readUInt32LE(dataAt + 4) / byteRate : 0;
}
