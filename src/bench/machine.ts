import os from 'node:os';

export interface Machine {
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  platform: string;
  release: string;
  nodeVersion: string;
}

/** The machine the numbers were measured on: they mean little without it. */
export function describeMachine(): Machine {
  return {
    cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.availableParallelism(),
    memoryBytes: os.totalmem(),
    platform: os.platform(),
    release: os.release(),
    nodeVersion: process.version,
  };
}
