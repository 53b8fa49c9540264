// The hooks an app registered with `app.hook.*`. Kept apart from hooks.ts (and free of runtime imports) because
// every AppDefinition holds one, and hooks.ts itself needs the current AppDefinition.
import type {
  AppStartContext,
  AppTerminateContext,
  LogHookContext,
  PostInvocationContext,
  PreInvocationContext,
} from './hooks.js';

export type AppStartHandler = (context: AppStartContext) => unknown;
export type AppTerminateHandler = (context: AppTerminateContext) => unknown;
export type PreInvocationHandler = (context: PreInvocationContext) => unknown;
export type PostInvocationHandler = (context: PostInvocationContext) => unknown;
export type LogHookHandler = (context: LogHookContext) => unknown;

/** The hooks an app registered, in registration order, and the `hookData` its start and terminate hooks share. */
export class AppHooks {
  readonly appStart: AppStartHandler[] = [];
  readonly appTerminate: AppTerminateHandler[] = [];
  readonly preInvocation: PreInvocationHandler[] = [];
  readonly postInvocation: PostInvocationHandler[] = [];
  /** Recorded for parity; Taskhub's logs go through pino and do not pass through them. */
  readonly log: LogHookHandler[] = [];
  readonly appHookData: Record<string, unknown> = {};
}
