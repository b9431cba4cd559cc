/** A field that failed validation, as shown in the error summary and in problem+json. */
export interface FieldError {
  /** The form field or JSON pointer-ish path (`email`, `distributions/0/url`). */
  name: string
  message: string
}

/** Errors services throw; routes turn them into pages or problem+json. */
export class AppError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly title: string,
  ) {
    super(message)
    this.name = new.target.name
  }
}

export class NotFoundError extends AppError {
  constructor(message = 'The page or record was not found') {
    super(message, 404, 'Not found')
  }
}

/** The caller is not signed in (or sent no valid token). */
export class UnauthenticatedError extends AppError {
  constructor(message = 'You need to sign in to do that') {
    super(message, 401, 'Unauthorised')
  }
}

/** The caller is known but may not do this. */
export class ForbiddenError extends AppError {
  constructor(message = 'You do not have permission to do that') {
    super(message, 403, 'Forbidden')
  }
}

export class ConflictError extends AppError {
  constructor(message: string) {
    super(message, 409, 'Conflict')
  }
}

export class ValidationError extends AppError {
  constructor(
    readonly fields: FieldError[],
    message = 'The request has errors',
  ) {
    super(message, 422, 'Validation failed')
  }
}

/**
 * What a service's refusal of one record says, for runs over many records (imports, harvests)
 * that report it and go on: its fields' problems, or else one message. Undefined for anything
 * that must stop the run instead: a fault, or an actor not allowed to write at all (401, 403).
 */
export function refusalOf(error: unknown): FieldError[] | undefined {
  if (error instanceof ValidationError) return error.fields
  if (error instanceof AppError && error.status < 500 && error.status !== 401 && error.status !== 403) return [{ name: '', message: error.message }]
  return undefined
}

/** Collects field errors and throws them together, so a form shows every problem at once. */
export class FieldErrors {
  readonly list: FieldError[] = []
  add(name: string, message: string): void {
    if (!this.list.some((e) => e.name === name)) this.list.push({ name, message })
  }
  has(name: string): boolean {
    return this.list.some((e) => e.name === name)
  }
  throwIfAny(): void {
    if (this.list.length > 0) throw new ValidationError(this.list)
  }
}
