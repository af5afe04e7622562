import { AsyncLocalStorage, AsyncResource, executionAsyncId } from 'node:async_hooks';
import { installAsyncResourceBind } from './async-resource-bind';

describe('AsyncResource#bind, installed', () => {
  beforeAll(() => installAsyncResourceBind());

  it('runs the function in the resource’s scope, with the caller’s this and arguments', () => {
    const storage = new AsyncLocalStorage<string>();
    const resource = storage.run('at creation', () => new AsyncResource('test'));
    const bound = resource.bind(function (this: unknown, a: number, b: number) {
      return { store: storage.getStore(), self: this, sum: a + b, id: executionAsyncId() };
    });
    const caller = { name: 'caller' };
    const result = storage.run('at call', () => bound.call(caller, 1, 2));
    expect(result).toEqual({ store: 'at creation', self: caller, sum: 3, id: resource.asyncId() });
    expect(bound.length).toBe(2);
  });

  it('binds thisArg when one is given', () => {
    const target = { name: 'target' };
    // Node's bind takes thisArg; @types/node declares only fn.
    // eslint-disable-next-line @typescript-eslint/unbound-method -- called with a resource as `this`
    const bind = AsyncResource.prototype.bind as unknown as (this: AsyncResource, fn: () => unknown, thisArg: unknown) => () => unknown;
    const bound = bind.call(
      new AsyncResource('test'),
      function (this: unknown) {
        return this;
      },
      target,
    );
    expect(bound.call({ name: 'other' })).toBe(target);
  });

  it('keeps the asyncResource property of the bound function, readable and writable', () => {
    const resource = new AsyncResource('test');
    const other = new AsyncResource('test');
    const bound = resource.bind(() => undefined) as (() => void) & { asyncResource: AsyncResource };
    expect(Object.keys(bound)).toContain('asyncResource');
    expect(bound.asyncResource).toBe(resource);
    bound.asyncResource = other;
    expect(bound.asyncResource).toBe(other);
  });

  it('refuses what is not a function as Node does', () => {
    expect(() => new AsyncResource('test').bind('not a function' as unknown as () => void)).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARG_TYPE' }));
  });
});
