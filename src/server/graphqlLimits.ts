import {
  getNamedType,
  GraphQLError,
  isCompositeType,
  Kind,
  valueFromAST,
  type ASTVisitor,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type GraphQLCompositeType,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * How much one GraphQL document may ask for. Depth bounds nesting; cost bounds the
 * work: each object field costs 1, and a field with a page size (`first`, `maxPoints`)
 * costs that many times what is selected under it, so `searchRuns(first: 1000) {
 * nodes { metricHistory(first: 25000) … } }` is refused while either alone is fine.
 * Page sizes themselves are capped per field (paging.ts).
 */
export const graphqlLimits = { maxDepth: 15, maxCost: 1_000_000, maxTokens: 100_000 } as const;

const PAGE_ARGS = ['first', 'maxPoints'];

function limitError(message: string, code = 'QUERY_TOO_COMPLEX'): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status: 400 } } });
}

/** Deepest field nesting of each operation, fragments followed (a fragment cycle is reported by graphql-js itself). */
export function depthLimitRule(maxDepth: number) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map(context.getDocument().definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
    const depthOf = (set: SelectionSetNode, seen: Set<string>): number => {
      let deepest = 0;
      for (const selection of set.selections) {
        if (selection.kind === Kind.FIELD) deepest = Math.max(deepest, selection.selectionSet ? 1 + depthOf(selection.selectionSet, seen) : 1);
        else if (selection.kind === Kind.INLINE_FRAGMENT) deepest = Math.max(deepest, depthOf(selection.selectionSet, seen));
        else {
          const fragment = fragments.get(selection.name.value);
          if (!fragment || seen.has(fragment.name.value)) continue;
          deepest = Math.max(deepest, depthOf(fragment.selectionSet, new Set([...seen, fragment.name.value])));
        }
        if (deepest > maxDepth) break;
      }
      return deepest;
    };
    return {
      OperationDefinition(operation) {
        const depth = depthOf(operation.selectionSet, new Set());
        if (depth > maxDepth) context.reportError(limitError(`The query is nested ${depth > maxDepth ? 'more than ' + maxDepth : depth} levels deep; at most ${maxDepth} are allowed.`));
      },
    };
  };
}

/** The cost of an operation with its variables (see graphqlLimits); stops counting once over the limit. */
export function operationCost(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, variables: Readonly<Record<string, unknown>> | null | undefined, limit: number): number {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return 0;
  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) return 0;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));

  const pageSize = (field: GraphQLField<unknown, unknown>, args: readonly { name: { value: string }; value: Parameters<typeof valueFromAST>[0] }[]): number => {
    for (const name of PAGE_ARGS) {
      const def = field.args.find((a) => a.name === name);
      if (!def) continue;
      const given = args.find((a) => a.name.value === name);
      const value = given ? valueFromAST(given.value, def.type, variables ?? undefined) : def.defaultValue;
      if (typeof value === 'number' && Number.isFinite(value) && value > 1) return value;
    }
    return 1;
  };

  const costOf = (type: GraphQLCompositeType, set: SelectionSetNode, seen: ReadonlySet<string>): number => {
    let total = 0;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!selection.selectionSet) continue;
        const field = 'getFields' in type ? type.getFields()[selection.name.value] : undefined;
        const childType = field && getNamedType(field.type);
        if (!field || !childType || !isCompositeType(childType)) continue;
        total += 1 + pageSize(field, selection.arguments ?? []) * costOf(childType, selection.selectionSet, seen);
      } else {
        const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : fragments.get(selection.name.value);
        if (!fragment) continue;
        const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : undefined;
        if (name && seen.has(name)) continue;
        const condition = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
        const next = name ? new Set([...seen, name]) : seen;
        total += costOf(condition && isCompositeType(condition) ? condition : type, fragment.selectionSet, next);
      }
      if (total > limit) return total;
    }
    return total;
  };
  return costOf(root, operation.selectionSet, new Set());
}

/** The limits as a yoga plugin: tokens at parse, depth at validation, cost once the variables are known. */
export function useGraphQLLimits(limits: { maxDepth: number; maxCost: number; maxTokens: number } = graphqlLimits): Plugin {
  const check = (args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: Readonly<Record<string, unknown>> | null }): GraphQLError | undefined => {
    const cost = operationCost(args.schema, args.document, args.operationName, args.variableValues, limits.maxCost);
    return cost > limits.maxCost ? limitError(`The query would cost more than ${limits.maxCost} (page sizes multiply what they select); ask for smaller pages or fewer nested lists.`) : undefined;
  };
  return {
    onParse({ parseFn, setParseFn }) {
      setParseFn((source, options) => parseFn(source, { ...options, maxTokens: limits.maxTokens }));
    },
    onValidate({ addValidationRule }) {
      addValidationRule(depthLimitRule(limits.maxDepth));
    },
    onExecute({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
    onSubscribe({ args, setResultAndStopExecution }) {
      const error = check(args);
      if (error) setResultAndStopExecution({ errors: [error] });
    },
  };
}
