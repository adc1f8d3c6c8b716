/** Which search request field a SearchSyntaxError is about. */
export type SearchField = 'filter' | 'order_by' | 'page_token';

/**
 * A run search request the caller wrote wrongly. Messages follow MLflow's wording
 * where it has one, since MLflow clients and users already know those messages;
 * the REST layer answers it as 400 INVALID_PARAMETER_VALUE.
 */
export class SearchSyntaxError extends Error {
  constructor(
    readonly field: SearchField,
    message: string,
  ) {
    super(message);
    this.name = 'SearchSyntaxError';
  }
}
