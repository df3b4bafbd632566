/**
 * What a scenario gets from the runner: the broker (which queue-down may stop and restart), the run's profile
 * (quick or full), a scope for what it starts and a progress line.
 */
import type { Scope } from './stack.js';

export interface BrokerControl {
  /** The bootstrap list, e.g. 127.0.0.1:39092. */
  readonly brokers: string;
  /** Whether the lab may stop this broker (it started it); an external broker is never stopped. */
  readonly owned: boolean;
  stop(): Promise<void>;
  /** Starts it again on the same port and data (the log is kept); resolves when it answers. */
  start(): Promise<void>;
}

export interface ScenarioContext {
  readonly broker: BrokerControl;
  readonly quick: boolean;
  readonly scope: Scope;
  /**
   * One short line about what the scenario is doing now. Shown on a TTY; otherwise logged, except `transient`
   * lines (countdowns), which only a TTY shows.
   */
  readonly progress: (message: string, transient?: boolean) => void;
}

export type Scenario<R> = (context: ScenarioContext) => Promise<R>;

/** Sleeps `ms`, reporting a countdown every second on the progress line. */
export async function phase(context: ScenarioContext, label: string, ms: number): Promise<void> {
  const end = Date.now() + ms;
  context.progress(`${label} for ${Math.round(ms / 1000)} s`);
  for (;;) {
    const left = end - Date.now();
    if (left <= 0) return;
    context.progress(`${label} (${Math.ceil(left / 1000)} s left)`, true);
    await new Promise((resolve) => setTimeout(resolve, Math.min(1000, left)));
  }
}
