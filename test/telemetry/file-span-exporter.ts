// A span exporter for child processes that a test kills: each finished span is appended to a file as one JSON line
// before span.end() returns, so whatever a killed process emitted is on disk and nothing else is.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { SpanKind } from '@opentelemetry/api';
import type { ReadableSpan, SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface SpanLine {
  readonly name: string;
  readonly kind: SpanKind;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly attributes: Record<string, unknown>;
  readonly pid: number;
}

export class FileSpanExporter implements SpanExporter {
  constructor(readonly path: string) {}

  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    const lines = spans.map((s) => {
      const line: SpanLine = {
        name: s.name,
        kind: s.kind,
        traceId: s.spanContext().traceId,
        spanId: s.spanContext().spanId,
        ...(s.parentSpanContext ? { parentSpanId: s.parentSpanContext.spanId } : {}),
        attributes: { ...s.attributes },
        pid: process.pid,
      };
      return `${JSON.stringify(line)}\n`;
    });
    appendFileSync(this.path, lines.join(''));
    done({ code: 0 }); // ExportResultCode.SUCCESS
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

export function readSpanLines(path: string): SpanLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as SpanLine);
}
