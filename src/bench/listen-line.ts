/**
 * How a child process tells the bench where it listens. The bench's own children print one JSON
 * line shaped like quickstow's pino "listening" log ({"msg":"listening","url":…}); `quickstow
 * serve` at --log-level warn prints no log line, only "… listening on http://…" on stderr, which is
 * accepted too.
 */
export function listeningLine(url: string): string {
  return `${JSON.stringify({ msg: 'listening', url })}\n`;
}

export function parseListeningUrl(output: string): string | undefined {
  for (const line of output.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('{')) {
      const url = urlOfLogLine(trimmed);
      if (url !== undefined) return url;
      continue;
    }
    const match = /listening on (https?:\/\/[^\s]+)/.exec(trimmed);
    if (match?.[1]) return match[1];
  }
  return undefined;
}

function urlOfLogLine(line: string): string | undefined {
  try {
    const record = JSON.parse(line) as { msg?: unknown; url?: unknown };
    return record.msg === 'listening' && typeof record.url === 'string' ? record.url : undefined;
  } catch {
    // A partial line (the rest still in the pipe) or not JSON at all.
    return undefined;
  }
}
