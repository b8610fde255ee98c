/**
 * Where a sandbox's output goes, one record a line, as CloudWatch Logs would hold it: the lines
 * the runtime and the extensions print (stdout and stderr, split on newlines), and the
 * platform's own lines (START, END, REPORT, INIT_REPORT, EXTENSION, timeouts, crashes,
 * shutdowns). Every record names its sandbox and log stream.
 */
export interface LambdaLogRecord {
  /** 32 hex digits; the tail of the log stream name. */
  sandboxId: string;
  /** `2026/03/01/[$LATEST]<sandboxId>` */
  logStreamName: string;
  /** 'platform', 'runtime', or 'extension:<name>'. */
  source: string;
  stream: 'stdout' | 'stderr' | 'platform';
  message: string;
  /** Epoch ms. */
  timestamp: number;
}

export type LogSink = (record: LambdaLogRecord) => void;

export const discardLogs: LogSink = () => {};

/** `2026-03-01T12:00:00.000Z [<sandbox id 8>] <source>: <message>`, for a terminal. */
export function formatLogRecord(record: LambdaLogRecord): string {
  const time = new Date(record.timestamp).toISOString();
  const source = record.source === 'platform' ? '' : ` ${record.source}:`;
  return `${time} [${record.sandboxId.slice(0, 8)}]${source} ${record.message}`;
}
