import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseProcStat } from '../../src/local/lambda/proc.js';
import {
  billedMs,
  initReportLine,
  parseReportLine,
  type ReportFigures,
  reportLine,
} from '../../src/local/lambda/report.js';

const figures: ReportFigures = {
  requestId: '8f5e6a3c-0000-4000-8000-000000000001',
  durationMs: 512.344,
  billedDurationMs: 513,
  runtimeDurationMs: 12.2,
  postRuntimeExtensionsDurationMs: 500.144,
  memorySizeMb: 1024,
  maxMemoryUsedMb: 71,
  initDurationMs: 180.123,
  status: 'success',
};

describe('REPORT lines', () => {
  it('are written CloudWatch style, tab-separated, init duration on cold starts only', () => {
    assert.equal(
      reportLine(figures),
      'REPORT RequestId: 8f5e6a3c-0000-4000-8000-000000000001\tDuration: 512.34 ms\tBilled Duration: 513 ms\tMemory Size: 1024 MB\tMax Memory Used: 71 MB\tInit Duration: 180.12 ms\tPost Runtime Extensions Duration: 500.14 ms',
    );
    const { initDurationMs: _, ...warm } = figures;
    assert.doesNotMatch(reportLine(warm), /Init Duration/);
  });

  it('name a failed invoke', () => {
    const line = reportLine({ ...figures, status: 'timeout', errorType: 'Sandbox.Timedout' });
    assert.match(line, /\tStatus: timeout\tError Type: Sandbox\.Timedout$/);
  });

  it('leave the post-runtime part out when written at the answer', () => {
    assert.doesNotMatch(reportLine(figures, { atAnswer: true }), /Post Runtime/);
  });

  it('read back into their figures', () => {
    const parsed = parseReportLine(reportLine({ ...figures, status: 'error', errorType: 'X.Y' }));
    assert.deepEqual(parsed, {
      requestId: figures.requestId,
      durationMs: 512.34,
      billedDurationMs: 513,
      runtimeDurationMs: 512.34 - 500.14,
      postRuntimeExtensionsDurationMs: 500.14,
      memorySizeMb: 1024,
      maxMemoryUsedMb: 71,
      initDurationMs: 180.12,
      status: 'error',
      errorType: 'X.Y',
    });
    assert.equal(parseReportLine('START RequestId: x Version: $LATEST'), undefined);
    const atAnswer = parseReportLine(reportLine(figures, { atAnswer: true }));
    assert.equal(atAnswer?.postRuntimeExtensionsDurationMs, undefined);
  });

  it('bill the duration rounded up to the millisecond', () => {
    assert.equal(billedMs(0.2), 1);
    assert.equal(billedMs(12.01), 13);
    assert.equal(billedMs(13), 13);
  });

  it('have an INIT_REPORT for failed inits', () => {
    assert.equal(
      initReportLine(12.345, 'error', 'Runtime.ImportModuleError'),
      'INIT_REPORT Init Duration: 12.35 ms\tPhase: init\tStatus: error\tError Type: Runtime.ImportModuleError',
    );
  });
});

describe('/proc/<pid>/stat', () => {
  it('is read even when the command name holds spaces and parentheses', () => {
    const stat = parseProcStat(42, '42 (node (a) b) T 1 40 40 0 -1 4194560 100 0 0 0');
    assert.deepEqual(stat, { pid: 42, state: 'T', processGroup: 40, command: 'node (a) b' });
    assert.equal(parseProcStat(1, 'garbage'), undefined);
  });
});
