/** A mistake the user can fix; its message is one line that says what to do. */
export class UserError extends Error {
  override name = 'UserError';
}

export const isUserError = (error: unknown): error is UserError => error instanceof UserError;
