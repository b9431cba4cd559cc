/*
 * Reading action parameters the way CKAN's validators do (ckan/lib/navl/validators.py,
 * ckan/logic/validators.py), and the errors CKAN's API answers with (ckan/views/api.py).
 */

/** An error CKAN reports inside its envelope: `{"success": false, "error": {...}}`. */
export class CkanActionError extends Error {
  constructor(
    readonly status: number,
    readonly error: Record<string, unknown>,
  ) {
    super(String(error.message ?? error.__type))
  }
}

/** CKAN answers a bad request with a bare JSON string and no envelope. */
export class CkanBadRequest extends Error {
  constructor(detail: string) {
    super(`Bad request - ${detail}`)
  }
}

export function notFound(): CkanActionError {
  return new CkanActionError(404, { __type: 'Not Found Error', message: 'Not found' })
}

/** `fields` are CKAN's error_dict: `{"rows": ["Invalid integer"]}`, or `{"message": "…"}`. */
export function validationError(fields: Record<string, string[] | string>): CkanActionError {
  return new CkanActionError(409, { ...fields, __type: 'Validation Error' })
}

export function searchQueryError(message: string): CkanActionError {
  // CKAN formats the message with Python's %r, so it arrives quoted.
  const quoted = message.includes("'") && !message.includes('"') ? `"${message}"` : `'${message.replace(/'/g, "\\'")}'`
  return new CkanActionError(400, { __type: 'Search Query Error', message: `Search Query is invalid: ${quoted}` })
}

const TRUE_WORDS = new Set(['true', 'yes', 'on', 'y', 't', '1'])

/** Reads parameters leniently, collecting every failure so they are reported together. */
export class Params {
  private readonly errors: Record<string, string[]> = {}

  constructor(private readonly data: Record<string, unknown>) {}

  private raw(name: string): unknown {
    const value = this.data[name]
    return Array.isArray(value) && value.length === 1 ? value[0] : value
  }

  private fail(name: string, message: string): void {
    ;(this.errors[name] ??= []).push(message)
  }

  has(name: string): boolean {
    const value = this.raw(name)
    return value !== undefined && value !== null && value !== ''
  }

  string(name: string, fallback = ''): string {
    const value = this.raw(name)
    if (value === undefined || value === null) return fallback
    if (Array.isArray(value)) return value.map(String).join(' ')
    return typeof value === 'object' ? JSON.stringify(value) : String(value)
  }

  /** A whole number (CKAN's int_validator); `natural` also refuses negatives. */
  integer(name: string, fallback: number, natural = true): number {
    const value = this.raw(name)
    if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return fallback
    const n = typeof value === 'number' ? value : typeof value === 'string' && /^\s*[+-]?\d+\s*$/.test(value) ? Number(value) : NaN
    if (!Number.isSafeInteger(n)) {
      this.fail(name, 'Invalid integer')
      return fallback
    }
    if (natural && n < 0) {
      this.fail(name, 'Must be a natural number')
      return fallback
    }
    return n
  }

  boolean(name: string, fallback = false): boolean {
    const value = this.raw(name)
    if (value === undefined || value === null || value === '') return fallback
    if (typeof value === 'boolean') return value
    return TRUE_WORDS.has(String(value).trim().toLowerCase())
  }

  /** A list of strings, given as a JSON list in one parameter or as the parameter repeated. */
  stringList(name: string): string[] {
    let value = this.data[name]
    if (value === undefined || value === null || value === '') return []
    if (typeof value === 'string') {
      try {
        value = JSON.parse(value)
      } catch {
        this.fail(name, 'Could not parse as valid JSON')
        return []
      }
    }
    if (!Array.isArray(value)) {
      this.fail(name, 'Not a list')
      return []
    }
    if (value.some((v) => typeof v !== 'string')) {
      this.fail(name, 'Not a string')
      return []
    }
    return value as string[]
  }

  /** CKAN's `_get_or_bust`: a required parameter. */
  required(name: string): string {
    if (!this.has(name)) {
      this.fail(name, 'Missing value')
      return ''
    }
    return this.string(name)
  }

  throwIfAny(): void {
    if (Object.keys(this.errors).length > 0) throw validationError(this.errors)
  }
}
