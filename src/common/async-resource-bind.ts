/*
 * AsyncResource#bind without two `util.deprecate` wrappers per call. Fastify binds every request body's parser
 * callback to an AsyncResource (lib/content-type-parser.js), and Node 20's bind builds the bound function's
 * deprecated `asyncResource` accessors (DEP0172) afresh each time: two `util.deprecate` calls per request, the most
 * expensive fixed step of a small request inside Fastify (README, Performance).
 *
 * The replacement binds the same way (runInAsyncScope with the caller's `this`, or `thisArg`) and keeps the property:
 * the same accessors, deprecated once for the process, reading and writing the resource through a WeakMap. Installed
 * only where Node's own bind defines the property, so a Node that dropped it keeps its own bind.
 */
import { AsyncResource } from 'node:async_hooks';
import { deprecate } from 'node:util';

const DEPRECATION = 'The asyncResource property on bound functions is deprecated';

const resources = new WeakMap<object, AsyncResource>();

const asyncResourceProperty: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get: deprecate(
    function (this: object) {
      return resources.get(this);
    },
    DEPRECATION,
    'DEP0172',
  ),
  set: deprecate(
    function (this: object, resource: AsyncResource) {
      resources.set(this, resource);
    },
    DEPRECATION,
    'DEP0172',
  ),
};

type Bind = AsyncResource['bind'];

/** Whether Node's own AsyncResource#bind gives the bound function the deprecated `asyncResource` accessor. */
function nodeBindDefinesAccessor(bind: Bind): boolean {
  const probe = new AsyncResource('registry:bind-probe');
  const descriptor = Object.getOwnPropertyDescriptor(
    bind.call(probe, () => undefined),
    'asyncResource',
  );
  probe.emitDestroy();
  return descriptor?.get !== undefined;
}

let installed = false;

/** Replaces AsyncResource#bind process-wide (idempotent). */
export function installAsyncResourceBind(): void {
  if (installed) return;
  installed = true;
  // eslint-disable-next-line @typescript-eslint/unbound-method -- called with its resource as `this` below
  const nodeBind = AsyncResource.prototype.bind;
  if (!nodeBindDefinesAccessor(nodeBind)) return;
  AsyncResource.prototype.bind = function bind(this: AsyncResource, fn: (...args: unknown[]) => unknown, thisArg?: unknown) {
    // Node's own checks and errors for a non-function.
    if (typeof fn !== 'function') return (nodeBind as (fn: unknown, thisArg?: unknown) => unknown).call(this, fn, thisArg);
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the bound function runs in this resource's scope
    const resource = this;
    const bound =
      thisArg === undefined
        ? function (this: unknown, ...args: unknown[]) {
            return resource.runInAsyncScope(fn, this, ...args);
          }
        : resource.runInAsyncScope.bind(resource, fn, thisArg);
    resources.set(bound, resource);
    Object.defineProperty(bound, 'length', { configurable: true, enumerable: false, writable: false, value: fn.length });
    Object.defineProperty(bound, 'asyncResource', asyncResourceProperty);
    return bound;
  } as Bind;
}
