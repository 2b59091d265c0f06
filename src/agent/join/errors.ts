/** Why joining failed. A JoinError is final (wrong token, wrong server): retrying cannot help. */
export class JoinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JoinError";
  }
}

/** The server could not be reached (yet): worth retrying. */
export class UnreachableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UnreachableError";
  }
}
