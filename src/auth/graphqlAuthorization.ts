import {
  defaultFieldResolver,
  getNamedType,
  GraphQLError,
  isObjectType,
  isUnionType,
  type GraphQLField,
  type GraphQLFieldResolver,
  type GraphQLObjectType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { errorTypeMap, wrapErrorIfMatches } from '@pothos/plugin-errors';
import { DomainError } from '../tracking/domainError.ts';
import type { Access } from './access.ts';
import { permissionDenied } from './access.ts';
import { adminOnly, rootRules, type FieldRule } from './graphqlPolicy.ts';
import { mayRead, readableOnly } from './resultGuard.ts';

interface WithAccess {
  access: Access;
}

const authorized = new WeakSet<GraphQLSchema>();

/**
 * Puts the permission checks into a schema's resolvers, once: every root field runs
 * its rule first (graphqlPolicy.ts) and every field that returns objects has them
 * checked for READ on what they belong to (lists filtered, a single object refused).
 * Subscriptions check each payload as it goes out, and end when the credentials that
 * opened them are revoked.
 */
export function authorizeSchema(schema: GraphQLSchema): GraphQLSchema {
  if (authorized.has(schema)) return schema;
  authorized.add(schema);
  const roots = new Map<GraphQLObjectType, Record<string, FieldRule>>();
  for (const [name, rules] of Object.entries(rootRules)) {
    const type = name === 'Query' ? schema.getQueryType() : name === 'Mutation' ? schema.getMutationType() : schema.getSubscriptionType();
    if (type) roots.set(type, rules);
  }
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type.name.startsWith('__')) continue;
    const rules = roots.get(type);
    for (const field of Object.values(type.getFields())) {
      if (rules) wrapRootField(field, rules[field.name] ?? adminOnly(`use ${type.name}.${field.name} (it has no permission rule yet)`), type === schema.getSubscriptionType());
      else if (returnsObjects(field.type)) wrapNestedField(field);
    }
  }
  return schema;
}

function returnsObjects(type: GraphQLOutputType): boolean {
  const named = getNamedType(type);
  return isObjectType(named) || isUnionType(named);
}

/** A union with DomainError (a mutation's typed errors) gets the refusal as its result, like any other refusal. */
function returnsDomainError(type: GraphQLOutputType): boolean {
  const named = getNamedType(type);
  return isUnionType(named) && named.getTypes().some((member) => member.name === 'DomainError');
}

async function guardResult(value: unknown, access: Access): Promise<unknown> {
  if (access.isAdmin || value === null || value === undefined) return value;
  if (Array.isArray(value)) return readableOnly(access, value);
  if (await mayRead(access, value)) return value;
  // What a mutation just created is readable by its creator once the identity read models have its creation event.
  await access.settle();
  if (!(await mayRead(access, value))) throw permissionDenied(`Permission denied: ${access.actor} may not read this.`);
  return value;
}

function wrapNestedField(field: GraphQLField<unknown, WithAccess>): void {
  const resolve: GraphQLFieldResolver<unknown, WithAccess> = field.resolve ?? defaultFieldResolver;
  field.resolve = (source, args, ctx, info) => {
    const value = resolve(source, args, ctx, info);
    if (ctx.access.isAdmin) return value;
    return Promise.resolve(value).then((v) => guardResult(v, ctx.access));
  };
}

function wrapRootField(field: GraphQLField<unknown, WithAccess>, rule: FieldRule, subscription: boolean): void {
  const typedErrors = returnsDomainError(field.type);
  if (subscription) {
    const subscribe = field.subscribe;
    if (!subscribe) return;
    field.subscribe = async (source, args, ctx, info) => {
      if (!ctx.access.isAdmin) await rule(args, ctx.access);
      const iterator = await subscribe(source, args, ctx, info);
      return ctx.access.authenticated ? guardedStream(iterator as AsyncIterable<unknown>, ctx.access) : iterator;
    };
    return;
  }
  const resolve: GraphQLFieldResolver<unknown, WithAccess> = field.resolve ?? defaultFieldResolver;
  field.resolve = async (source, args, ctx, info) => {
    if (!ctx.access.isAdmin) {
      try {
        await rule(args, ctx.access);
      } catch (error) {
        // Wrapped as the errors plugin wraps a thrown DomainError: graphql-js would raise a bare Error.
        if (typedErrors && error instanceof DomainError) return wrapErrorIfMatches(error, [DomainError]);
        throw error;
      }
    }
    const value = await resolve(source, args, ctx, info);
    if (value instanceof Error || errorTypeMap.has(value as object)) return value;
    return guardResult(value, ctx.access);
  };
}

/** Payloads the caller may not read are skipped; revoked credentials end the stream. */
async function* guardedStream(source: AsyncIterable<unknown>, access: Access): AsyncGenerator<unknown> {
  const iterator = source[Symbol.asyncIterator]();
  try {
    for (;;) {
      const step = await iterator.next();
      if (step.done) return;
      if (!(await access.stillValid())) {
        // An Error as the payload becomes this event's error (graphql-js raises it); then the stream ends.
        yield new GraphQLError('The credentials this subscription was opened with are no longer valid.', { extensions: { code: 'UNAUTHENTICATED' } });
        return;
      }
      if (await mayRead(access, step.value)) yield step.value;
    }
  } finally {
    await iterator.return?.();
  }
}
