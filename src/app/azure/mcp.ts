// The MCP (Model Context Protocol) part of @azure/functions 4.x: the tool, resource and prompt trigger fields, the
// `arg` / `promptArg` builders and the response content classes. Taskhub does not serve MCP triggers, but an app that
// declares them must load, and its trigger descriptors must be the ones Azure would register.

/** One tool property as the Functions host receives it. */
export interface McpToolProperty {
  propertyName: string;
  propertyType: string;
  description: string;
  isRequired?: boolean;
  isArray?: boolean;
}

/** `arg.string().describe('…').optional()`: a tool property built fluently, keyed by name in `toolProperties`. */
export class ToolPropertyBuilder {
  #type: string | undefined;
  #description: string | undefined;
  #required: boolean | undefined;
  #array: boolean | undefined;

  get propertyType(): string {
    if (!this.#type) throw new Error('Property type must be specified (use .string(), .number(), etc.)');
    return this.#type;
  }
  get description(): string {
    return this.#description ?? '';
  }
  get isRequired(): boolean {
    return this.#required ?? true;
  }
  get isArray(): boolean {
    return this.#array ?? false;
  }
  #as(type: string): this {
    this.#type = type;
    return this;
  }
  string(): this {
    return this.#as('string');
  }
  double(): this {
    return this.#as('number');
  }
  long(): this {
    return this.#as('number');
  }
  number(): this {
    return this.#as('number');
  }
  boolean(): this {
    return this.#as('boolean');
  }
  object(): this {
    return this.#as('object');
  }
  integer(): this {
    return this.#as('integer');
  }
  datetime(): this {
    return this.#as('string');
  }
  describe(description: string): this {
    this.#description = description;
    return this;
  }
  optional(): this {
    this.#required = false;
    return this;
  }
  asArray(): this {
    this.#array = true;
    return this;
  }
}

export const arg = {
  string: (): ToolPropertyBuilder => new ToolPropertyBuilder().string(),
  integer: (): ToolPropertyBuilder => new ToolPropertyBuilder().integer(),
  number: (): ToolPropertyBuilder => new ToolPropertyBuilder().number(),
  long: (): ToolPropertyBuilder => new ToolPropertyBuilder().long(),
  double: (): ToolPropertyBuilder => new ToolPropertyBuilder().double(),
  boolean: (): ToolPropertyBuilder => new ToolPropertyBuilder().boolean(),
  datetime: (): ToolPropertyBuilder => new ToolPropertyBuilder().datetime(),
  object: (): ToolPropertyBuilder => new ToolPropertyBuilder().object(),
};

/** `promptArg.describe('…').isRequired()`: a prompt argument, keyed by name in `promptArguments`. */
export class McpPromptArgumentBuilder {
  #description: string | undefined;
  #required = false;
  describe(description: string): this {
    this.#description = description;
    return this;
  }
  isRequired(): this {
    this.#required = true;
    return this;
  }
  toPromptArgument(name: string): { name: string; description: string | undefined; required: boolean } {
    return { name, description: this.#description, required: this.#required };
  }
}

export const promptArg = {
  describe: (description: string): McpPromptArgumentBuilder => new McpPromptArgumentBuilder().describe(description),
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A string option that must hold JSON when given (blank counts as absent). */
function jsonOption(options: Record<string, unknown>, key: string, trigger: string): string | undefined {
  const value = options[key];
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  try {
    JSON.parse(value);
  } catch {
    throw new Error(`MCP ${trigger} trigger "${key}" must be a valid JSON string.`);
  }
  return value;
}

function toolProperties(properties: unknown): McpToolProperty[] | undefined {
  if (!properties) return undefined;
  if (Array.isArray(properties)) {
    return properties.map((p: McpToolProperty, index) => {
      if (!p.propertyType || p.propertyType.trim() === '') {
        throw new Error(`Property type is required for property '${p.propertyName || `index ${index}`}'`);
      }
      p.description ??= '';
      return p;
    });
  }
  const isBuilt = (p: unknown): boolean =>
    typeof p === 'object' &&
    p !== null &&
    'propertyType' in p &&
    'description' in p &&
    'isRequired' in p &&
    'isArray' in p;
  if (isRecord(properties) && Object.values(properties).every(isBuilt)) {
    return Object.entries(properties as Record<string, McpToolProperty>).map(([propertyName, p]) => ({
      propertyName,
      propertyType: p.propertyType,
      description: p.description || '',
      isRequired: p.isRequired ?? true,
      isArray: p.isArray ?? false,
    }));
  }
  return undefined;
}

/** The fields of an `mcpToolTrigger` binding, as the Functions host receives them. */
export function mcpToolTriggerFields(options: Record<string, unknown>): Record<string, unknown> {
  const metadata = jsonOption(options, 'metadata', 'Tool');
  const resultSchema = jsonOption(options, 'resultSchema', 'Tool');
  const properties = toolProperties(options.toolProperties);
  if (properties === undefined) {
    throw new Error(
      `Invalid toolProperties for tool '${String(options.toolName)}': Expected an array of McpToolProperty or ` +
        'ToolProps objects or ToolProps need a type defined.',
    );
  }
  return {
    toolName: options.toolName,
    description: options.description,
    useResultSchema: true,
    ...(metadata === undefined ? {} : { metadata }),
    ...(resultSchema === undefined ? {} : { resultSchema }),
    toolProperties: JSON.stringify(properties),
  };
}

function requiredString(options: Record<string, unknown>, key: string, trigger: string): string {
  const value = options[key];
  if (typeof value !== 'string' || value.trim() === '') {
    throw new Error(`MCP ${trigger} trigger requires a valid "${key}" property.`);
  }
  return value;
}

function optionalFields(options: Record<string, unknown>, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.filter((k) => options[k] !== undefined).map((k) => [k, options[k]]));
}

export function mcpResourceTriggerFields(options: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    uri: requiredString(options, 'uri', 'Resource'),
    resourceName: requiredString(options, 'resourceName', 'Resource'),
    ...optionalFields(options, ['title', 'description', 'mimeType']),
  };
  if (options.size !== undefined) {
    if (typeof options.size !== 'number' || options.size < 0) {
      throw new Error('MCP Resource trigger "size" must be a non-negative number.');
    }
    fields.size = options.size;
  }
  const metadata = jsonOption(options, 'metadata', 'Resource');
  if (metadata !== undefined) fields.metadata = metadata;
  return fields;
}

export function mcpPromptTriggerFields(options: Record<string, unknown>): Record<string, unknown> {
  const fields: Record<string, unknown> = {
    promptName: requiredString(options, 'promptName', 'Prompt'),
    promptArguments: promptArguments(options.promptArguments),
    ...optionalFields(options, ['title', 'description']),
  };
  const metadata = jsonOption(options, 'metadata', 'Prompt');
  if (metadata !== undefined) fields.metadata = metadata;
  const icons = jsonOption(options, 'icons', 'Prompt');
  if (icons !== undefined) fields.icons = icons;
  return fields;
}

function promptArguments(args: unknown): string {
  if (!args) return '[]';
  const list = Array.isArray(args)
    ? (args as { name?: unknown; description?: unknown; required?: unknown }[])
    : Object.entries(args as Record<string, unknown>).map(([name, builder]) => {
        if (!(builder instanceof McpPromptArgumentBuilder)) {
          throw new Error(
            'MCP Prompt trigger "promptArguments" record values must be created with `promptArg.describe(...)`.',
          );
        }
        return builder.toPromptArgument(name);
      });
  return JSON.stringify(
    list.map((a) => {
      if (typeof a.name !== 'string' || a.name.trim() === '') {
        throw new Error('MCP Prompt trigger "promptArguments" entries require a non-empty "name".');
      }
      return { name: a.name, description: a.description ?? null, required: a.required === true };
    }),
  );
}

type BinaryData = string | Buffer | ArrayBuffer | ArrayBufferView;

function base64(data: BinaryData): string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  return Buffer.from(new Uint8Array(data)).toString('base64');
}

function defined(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

export abstract class McpContentBlock {
  abstract readonly type: string;
  abstract toJSON(): Record<string, unknown>;
}

export class McpTextContent extends McpContentBlock {
  readonly type = 'text';
  constructor(readonly text: string) {
    super();
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, text: this.text };
  }
}

class McpBinaryContent extends McpContentBlock {
  readonly data: BinaryData;
  readonly mimeType?: string;
  constructor(
    readonly type: 'image' | 'audio',
    init: { data: BinaryData; mimeType?: string },
  ) {
    super();
    this.data = init.data;
    if (init.mimeType !== undefined) this.mimeType = init.mimeType;
  }
  toJSON(): Record<string, unknown> {
    return defined({ type: this.type, data: base64(this.data), mimeType: this.mimeType });
  }
}

export class McpImageContent extends McpBinaryContent {
  constructor(init: { data: BinaryData; mimeType?: string }) {
    super('image', init);
  }
}

export class McpAudioContent extends McpBinaryContent {
  constructor(init: { data: BinaryData; mimeType?: string }) {
    super('audio', init);
  }
}

export class McpResourceLinkContent extends McpContentBlock {
  readonly type = 'resource_link';
  readonly uri: string;
  readonly name?: string;
  readonly description?: string;
  readonly mimeType?: string;
  constructor(init: { uri: string; name?: string; description?: string; mimeType?: string }) {
    super();
    this.uri = init.uri;
    this.name = init.name;
    this.description = init.description;
    this.mimeType = init.mimeType;
  }
  toJSON(): Record<string, unknown> {
    return defined({
      type: this.type,
      uri: this.uri,
      name: this.name,
      description: this.description,
      mimeType: this.mimeType,
    });
  }
}

export class McpResourceContent extends McpContentBlock {
  readonly type = 'resource';
  readonly resource: { uri: string; mimeType?: string; text?: string; blob?: BinaryData };
  constructor(init: { resource: { uri: string; mimeType?: string; text?: string; blob?: BinaryData } }) {
    super();
    this.resource = init.resource;
  }
  toJSON(): Record<string, unknown> {
    const r = this.resource;
    const blob = r.blob === undefined ? undefined : base64(r.blob);
    return { type: this.type, resource: defined({ uri: r.uri, mimeType: r.mimeType, text: r.text, blob }) };
  }
}

export class McpToolResponse {
  readonly content: McpContentBlock[];
  readonly structuredContent?: unknown;
  readonly isError?: boolean;
  constructor(init: { content: McpContentBlock[]; structuredContent?: unknown; isError?: boolean }) {
    this.content = init.content;
    this.structuredContent = init.structuredContent;
    this.isError = init.isError;
  }
}

const MCP_CONTENT = Symbol('__mcp_content__');
type Constructor = abstract new (...args: never[]) => unknown;

/** Marks a class whose instances a tool returns as structured content (`@McpContent` or `McpContent(MyClass)`). */
export function McpContent<T extends Constructor>(target: T): T;
export function McpContent(): <T extends Constructor>(target: T) => T;
export function McpContent<T extends Constructor>(target?: T): T | (<U extends Constructor>(target: U) => U) {
  const mark = <U extends Constructor>(ctor: U): U => {
    Object.defineProperty(ctor.prototype, MCP_CONTENT, { value: true });
    return ctor;
  };
  return target === undefined ? mark : mark(target);
}

/** What an MCP prompt function receives: the prompt name, its arguments as strings, the session. */
export class PromptInvocationContext {
  readonly name: string;
  readonly arguments: Record<string, string>;
  readonly sessionId: string | undefined;
  readonly transport: Record<string, unknown> | undefined;

  constructor(data: unknown) {
    let fields: Record<string, unknown> = {};
    if (typeof data === 'string') {
      try {
        const parsed: unknown = JSON.parse(data);
        if (isRecord(parsed)) fields = parsed;
      } catch {
        fields = {};
      }
    } else if (isRecord(data)) {
      fields = data;
    }
    this.name = typeof fields.name === 'string' ? fields.name : '';
    this.arguments = isRecord(fields.arguments)
      ? Object.fromEntries(
          Object.entries(fields.arguments).map(([k, v]) => [
            k,
            typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v as string | number),
          ]),
        )
      : {};
    const sessionId = fields.sessionId ?? fields.sessionid;
    this.sessionId = typeof sessionId === 'string' ? sessionId : undefined;
    this.transport = isRecord(fields.transport) ? fields.transport : undefined;
  }
}
