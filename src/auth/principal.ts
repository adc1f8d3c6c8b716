/** Who a request acts as: an authenticated user, or the single local user when authentication is off. */
export interface Principal {
  username: string;
  isAdmin: boolean;
  /** The API token the request presented, if that is how it authenticated. */
  tokenId?: string;
  /** For password logins: which stored password it proved (a change ends long-lived connections). */
  stamp?: string;
}
