/**
 * Server-side filters of $all reads and subscriptions: on stream name or event
 * type, by regex or prefixes. Checkpoints are due every window × multiplier
 * scanned events, matching or not, so a filtered reader can save progress
 * through a quiet stretch.
 */
import type { ReadReqMessage } from './generatedProtocol.ts';
import type { LogRecord } from './memoryLog.ts';

export interface EventFilter {
  matches(record: LogRecord): boolean;
  /** Scanned events between checkpoints; undefined without a filter. */
  checkpointEvery?: number;
}

const DEFAULT_WINDOW = 32;

export function eventFilterOf(options: ReturnType<ReadReqMessage['getOptions']>): EventFilter {
  if (!options?.hasFilter()) return { matches: () => true };
  const filter = options.getFilter()!;
  const onStream = filter.hasStreamIdentifier();
  const expression = onStream ? filter.getStreamIdentifier()! : filter.getEventType()!;
  const regex = expression.getRegex() ? new RegExp(expression.getRegex()) : undefined;
  const prefixes = expression.getPrefixList();
  const window = filter.hasMax() ? filter.getMax() : DEFAULT_WINDOW;
  return {
    matches(record) {
      const subject = onStream ? record.streamName : record.type;
      if (regex && !regex.test(subject)) return false;
      return prefixes.length === 0 || prefixes.some((prefix) => subject.startsWith(prefix));
    },
    checkpointEvery: window * Math.max(1, filter.getCheckpointintervalmultiplier()),
  };
}
