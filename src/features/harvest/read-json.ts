/** Reading loosely typed JSON from other people's catalogues without trusting its shape. */

export type JsonObject = Record<string, unknown>

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** A string (or number) value, trimmed; undefined for anything else or empty. */
export function str(value: unknown): string | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  if (typeof value !== 'string') return undefined
  return value.trim() || undefined
}

/** A list of strings, from an array or a comma-separated string (data.json 1.0 keywords). */
export function strings(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(str).filter((s): s is string => s !== undefined)
  const single = str(value)
  return single ? single.split(',').map((s) => s.trim()).filter(Boolean) : []
}

export function objects(value: unknown): JsonObject[] {
  return Array.isArray(value) ? value.filter(isObject) : isObject(value) ? [value] : []
}
