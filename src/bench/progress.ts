/**
 * Progress on stderr: a cli-progress bar on a terminal; elsewhere (CI logs, pipes) one line per
 * phase, since a redrawn bar would only fill a log with carriage returns.
 */
import { Presets, SingleBar } from 'cli-progress';

export interface Progress {
  phase(label: string, total: number): void;
  tick(count?: number): void;
  /** A message that must not be mangled by the bar. */
  log(message: string): void;
  stop(): void;
}

export function createProgress(stream: NodeJS.WriteStream): Progress {
  if (!stream.isTTY) {
    return {
      phase: (label, total) => stream.write(`bench: ${label} (${total})\n`),
      tick: () => {},
      log: (message) => stream.write(`${message}\n`),
      stop: () => {},
    };
  }
  const bar = new SingleBar(
    {
      stream,
      format: ' {bar} {percentage}% | {value}/{total} | {phase} | {duration_formatted}',
      hideCursor: true,
      clearOnComplete: true,
    },
    Presets.shades_classic,
  );
  let started = false;
  return {
    phase(label, total) {
      if (started) bar.stop();
      bar.start(total, 0, { phase: label });
      started = true;
    },
    tick: (count = 1) => bar.increment(count),
    log(message) {
      // Clear the bar's line, print, and let the next redraw put the bar back under it.
      stream.write(`\r\x1b[K${message}\n`);
    },
    stop() {
      if (started) bar.stop();
      started = false;
    },
  };
}
