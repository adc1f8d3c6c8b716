import { SearchSyntaxError } from '../search/searchErrors.ts';
import { invalid } from '../tracking/domainError.ts';

/** Runs a search-syntax parse, turning its errors into the typed DomainError GraphQL answers with. */
export function searchSyntaxAsDomainError<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (error instanceof SearchSyntaxError) throw invalid(error.field === 'order_by' ? 'orderBy' : error.field, error.message);
    throw error;
  }
}
