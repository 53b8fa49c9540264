// The W3C trace context an instance keeps in its ExecutionStarted event (DurableTask's ParentTraceContext), and its
// conversion to and from OpenTelemetry's span context. Parsed here, not by a propagator: with no OpenTelemetry SDK
// registered the API's propagator does nothing, and the stored context must still travel with the instance.
import { createHash } from 'node:crypto';
import {
  context as otelContext,
  createTraceState,
  isSpanContextValid,
  ROOT_CONTEXT,
  trace,
  TraceFlags,
  type Context,
  type SpanContext,
} from '@opentelemetry/api';
import type { TraceContext } from '../core/history.js';
import { safely } from './safely.js';

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A `traceparent` header's span context, or undefined when it is absent or malformed (it is then ignored). */
export function parseTraceParent(traceParent: string | undefined, traceState?: string): SpanContext | undefined {
  const m = traceParent === undefined ? null : TRACEPARENT.exec(traceParent.trim().toLowerCase());
  if (!m) return undefined;
  const context: SpanContext = {
    traceId: m[1]!,
    spanId: m[2]!,
    traceFlags: parseInt(m[3]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
    ...(traceState ? { traceState: createTraceState(traceState) } : {}),
  };
  return isSpanContextValid(context) ? context : undefined;
}

export function formatTraceParent(context: SpanContext): string {
  return `00-${context.traceId}-${context.spanId}-0${(context.traceFlags & TraceFlags.SAMPLED).toString(16)}`;
}

/** The stored form of a span's context, or undefined for an invalid one (no tracing: nothing is stored). */
export function toStored(context: SpanContext): TraceContext | undefined {
  if (!isSpanContextValid(context)) return undefined;
  const state = context.traceState?.serialize();
  return { traceParent: formatTraceParent(context), ...(state ? { traceState: state } : {}) };
}

/**
 * The parent of an instance's spans. An instance started with no trace (by a process without an SDK) still gets one
 * trace: its id is derived from the execution id, so every worker that runs a piece of it lands in the same trace.
 */
export function instanceParent(stored: TraceContext | undefined, executionId: string): Context {
  const parsed = stored && parseTraceParent(stored.traceParent, stored.traceState);
  if (parsed) return trace.setSpanContext(ROOT_CONTEXT, parsed);
  const digest = createHash('sha256').update(executionId).digest('hex');
  return trace.setSpanContext(ROOT_CONTEXT, {
    traceId: digest.slice(0, 32),
    spanId: digest.slice(32, 48),
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
}

/** Log fields of a trace context (OpenTelemetry's log data model names), for lines that belong to an instance. */
export function logFields(stored: TraceContext | undefined): { trace_id: string; span_id: string } | undefined {
  const parsed = stored && safely(undefined, () => parseTraceParent(stored.traceParent));
  return parsed ? { trace_id: parsed.traceId, span_id: parsed.spanId } : undefined;
}

/**
 * Runs `fn` under the trace of an HTTP request's `traceparent` header, so an instance it starts joins the caller's
 * trace. A span already active (an HTTP server instrumentation's, itself a child of that header) is kept instead.
 * Needs a context manager, which every OpenTelemetry SDK setup for Node registers.
 */
export function withRequestTrace<T>(headers: Headers, fn: () => T): T {
  const header = headers.get('traceparent');
  if (header === null) return fn();
  const parentContext = safely(undefined, () => {
    const active = otelContext.active();
    if (trace.getSpanContext(active)) return undefined;
    const parent = parseTraceParent(header, headers.get('tracestate') ?? '');
    return parent && trace.setSpanContext(active, parent);
  });
  return parentContext ? otelContext.with(parentContext, fn) : fn();
}
