import type { RegistryBackend } from '../server/openBackend.ts';
import type { Logger } from '../server/logger.ts';
import { findUser } from '../projections/identityUsersReadModel.ts';
import { commandContext } from '../tracking/commandContext.ts';
import { DomainError } from '../tracking/domainError.ts';
import type { AuthConfig } from './authConfig.ts';
import { AuthGate } from './authGate.ts';

/**
 * The server's authentication gate. With authentication on, the admin named in the
 * environment is created if no user has that name (an existing one is left as it is:
 * the environment is not a way to reset a password).
 */
export async function openAuthGate(backend: RegistryBackend, config: AuthConfig, localUser: string, logger: Logger): Promise<AuthGate> {
  if (config.enabled && config.admin) {
    const { username, password } = config.admin;
    await backend.identityProjector.catchUp();
    if (await findUser(backend.db, username)) logger.info({ username }, 'admin user from the environment exists already');
    else {
      try {
        await backend.identity.createUser({ username, password, isAdmin: true }, commandContext(username));
        logger.info({ username }, 'admin user created from the environment');
      } catch (error) {
        // Another server sharing the database created it a moment ago.
        if (!(error instanceof DomainError && error.code === 'RESOURCE_ALREADY_EXISTS')) throw error;
      }
    }
  }
  if (config.enabled) logger.info({ defaultPermission: config.defaultPermission, rateLimit: config.rateLimit }, 'authentication on');
  return new AuthGate(config, {
    readDb: backend.db,
    generation: backend.identityGeneration,
    localUser,
    settle: () => backend.identityProjector.catchUp(2_000).catch(() => undefined),
  });
}
