import type { RecordedEvent } from '../events/eventEnvelope.ts';
import { ApiTokenCreated, ApiTokenRevoked, UserAdminChanged, UserCreated, UserDeleted } from '../events/identityEvents.ts';
import type { StreamFold } from '../tracking/streamStateCache.ts';

export interface UserState {
  isAdmin: boolean;
}

export interface TokenState {
  username: string;
  revoked: boolean;
}

/** What identity commands decide on: the users that exist now and every token ever issued. */
export interface IdentityState {
  users: Map<string, UserState>;
  tokens: Map<string, TokenState>;
}

export const identityFold: StreamFold<IdentityState> = {
  initial: () => ({ users: new Map(), tokens: new Map() }),
  evolve(state, event: RecordedEvent) {
    if (UserCreated.is(event)) state.users.set(event.data.username, { isAdmin: event.data.isAdmin });
    else if (UserAdminChanged.is(event)) {
      const user = state.users.get(event.data.username);
      if (user) user.isAdmin = event.data.isAdmin;
    } else if (UserDeleted.is(event)) {
      state.users.delete(event.data.username);
      for (const token of state.tokens.values()) if (token.username === event.data.username) token.revoked = true;
    } else if (ApiTokenCreated.is(event)) state.tokens.set(event.data.tokenId, { username: event.data.username, revoked: false });
    else if (ApiTokenRevoked.is(event)) {
      const token = state.tokens.get(event.data.tokenId);
      if (token) token.revoked = true;
    }
    return state;
  },
};
