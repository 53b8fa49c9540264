// @restatedev/restate-sdk 1.17 calls Promise.withResolvers (ES2024, native from Node 22); on Node 20 every invocation
// would fail with "Promise.withResolvers is not a function" and the server would retry it forever.
const P = Promise as unknown as { withResolvers?: unknown };
if (typeof P.withResolvers !== 'function') {
  P.withResolvers = function withResolvers<T>() {
    let resolve!: (value: T) => void;
    let reject!: (reason: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}
