import { userInfo } from 'node:os';

/** The OS user: the actor on events while authentication is off. */
export function localUser(): string {
  try {
    return userInfo().username || 'local';
  } catch {
    return process.env.USER || 'local';
  }
}
