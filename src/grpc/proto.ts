// Loads Microsoft's published TaskHubSidecarService definition (orchestrator_service.proto, see README.md) with
// @grpc/proto-loader: the wire format is protobufjs's, never hand-encoded.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** How decoded messages look (proto-types.ts is written for exactly these options). */
export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** The .proto beside this module (src/grpc, and dist/grpc, where the build copies it), else the sources' copy. */
export function protoPath(): string {
  const candidates = ['./orchestrator_service.proto', '../../src/grpc/orchestrator_service.proto'];
  for (const candidate of candidates) {
    const file = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(file)) return file;
  }
  throw new Error('orchestrator_service.proto was not found beside the gRPC server module (src/grpc).');
}

let loaded: grpc.ServiceDefinition | undefined;

/** The TaskHubSidecarService definition (loaded once). */
export function sidecarService(): grpc.ServiceDefinition {
  if (loaded) return loaded;
  const definition = protoLoader.loadSync(protoPath(), LOADER_OPTIONS);
  const service = definition.TaskHubSidecarService;
  if (!service || !('Hello' in service)) throw new Error('TaskHubSidecarService is missing from the .proto.');
  loaded = service;
  return loaded;
}

/** A client constructor for the service, for tests and tools that play the SDK's part. */
export function sidecarClientConstructor(): grpc.ServiceClientConstructor {
  const definition = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath(), LOADER_OPTIONS));
  return definition.TaskHubSidecarService as grpc.ServiceClientConstructor;
}
