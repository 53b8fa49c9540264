// What `import … from '@azure/functions'` gives an app run by Taskhub: the 4.x surface, split by concern under
// azure/ (registration, binding helpers, hooks, MCP types). HTTP functions are served by the host; anything else is
// accepted, recorded and reported, so an app written for Azure loads unchanged.
import { app } from './azure/app.js';
import { input, output, trigger } from './azure/bindings.js';
import {
  AppStartContext,
  AppTerminateContext,
  Disposable,
  HookContext,
  InvocationHookContext,
  LogHookContext,
  PostInvocationContext,
  PreInvocationContext,
} from './azure/hooks.js';
import {
  arg,
  McpAudioContent,
  McpContent,
  McpContentBlock,
  McpImageContent,
  McpResourceContent,
  McpResourceLinkContent,
  McpTextContent,
  McpToolResponse,
  PromptInvocationContext,
  promptArg,
} from './azure/mcp.js';
import { HttpRequest, HttpResponse } from './http-types.js';
import { InvocationContext } from './invocation-context.js';

export {
  app,
  input,
  output,
  trigger,
  HttpRequest,
  HttpResponse,
  InvocationContext,
  AppStartContext,
  AppTerminateContext,
  Disposable,
  HookContext,
  InvocationHookContext,
  LogHookContext,
  PostInvocationContext,
  PreInvocationContext,
  arg,
  promptArg,
  McpAudioContent,
  McpContent,
  McpContentBlock,
  McpImageContent,
  McpResourceContent,
  McpResourceLinkContent,
  McpTextContent,
  McpToolResponse,
  PromptInvocationContext,
};
export { recordUnserved } from './azure/app.js';
export { startApp, terminateApp, invokeWithHooks } from './azure/hooks.js';
export type {
  HttpMethod,
  HttpFunctionOptions,
  HttpMethodFunctionOptions,
  FunctionOptions,
  GenericFunctionOptions,
  TriggerFunctionOptions,
} from './azure/app.js';
export type { BindingOptions, GenericBindingOptions } from './azure/bindings.js';
export type { FunctionHandler } from './azure/hooks.js';
export type {
  AppStartHandler,
  AppTerminateHandler,
  LogHookHandler,
  PostInvocationHandler,
  PreInvocationHandler,
} from './azure/app-hooks.js';
export type { HttpRequestInit, HttpResponseInit, Cookie, HttpRequestUser } from './http-types.js';
export type { FunctionInput, FunctionOutput, FunctionTrigger } from './invocation-context.js';
export type { AuthLevel, HttpHandler } from './app-definition.js';

export enum CosmosDBChangeFeedMode {
  LatestVersion = 'LatestVersion',
  AllVersionsAndDeletes = 'AllVersionsAndDeletes',
}
export { CosmosDBChangeFeedMode as CosmosDBv4ChangeFeedMode };

export enum SqlChangeOperation {
  Insert = 0,
  Update = 1,
  Delete = 2,
}

export enum MySqlChangeOperation {
  Update = 0,
}

const azureFunctions = {
  app,
  input,
  output,
  trigger,
  HttpRequest,
  HttpResponse,
  InvocationContext,
  AppStartContext,
  AppTerminateContext,
  Disposable,
  HookContext,
  InvocationHookContext,
  LogHookContext,
  PostInvocationContext,
  PreInvocationContext,
  arg,
  promptArg,
  McpAudioContent,
  McpContent,
  McpContentBlock,
  McpImageContent,
  McpResourceContent,
  McpResourceLinkContent,
  McpTextContent,
  McpToolResponse,
  PromptInvocationContext,
  CosmosDBChangeFeedMode,
  CosmosDBv4ChangeFeedMode: CosmosDBChangeFeedMode,
  SqlChangeOperation,
  MySqlChangeOperation,
};
export default azureFunctions;
