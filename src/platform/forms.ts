import type { FastifyReply, FastifyRequest } from 'fastify'
import { ConflictError, ValidationError } from './errors.js'
import { formErrors } from './views.js'

export type FormBody = Record<string, string | undefined>

/** The posted form, with every value a trimmed-on-use string (or absent). */
export function formBody(request: FastifyRequest): FormBody {
  const body = (request.body ?? {}) as Record<string, unknown>
  const out: FormBody = {}
  for (const [key, value] of Object.entries(body)) {
    if (key === '_csrf') continue
    out[key] = Array.isArray(value) ? String(value[0] ?? '') : value === undefined ? undefined : String(value)
  }
  return out
}

/**
 * Runs a form's action; when the service rejects the input, shows the same form again with the
 * GOV.UK error summary and inline messages, keeping what the person typed.
 */
export async function submitForm(
  reply: FastifyReply,
  action: () => Promise<unknown>,
  onInvalid: { template: string; context: Record<string, unknown> },
): Promise<boolean> {
  try {
    await action()
    return true
  } catch (error) {
    if (error instanceof ValidationError) {
      reply.status(400).render(onInvalid.template, { ...onInvalid.context, errors: formErrors(error.fields) })
      return false
    }
    if (error instanceof ConflictError) {
      reply.status(409).render(onInvalid.template, { ...onInvalid.context, errors: { summary: [{ text: error.message, href: '#main-content' }], byField: {} } })
      return false
    }
    throw error
  }
}

/** Shows a one-off success message on the next page. */
export function flash(request: FastifyRequest, message: string): void {
  request.session.flash = message
}

/**
 * Only same-site paths are followed after sign-in, so `?next=` cannot send people elsewhere.
 * Browsers drop tabs and newlines from an address and read `\` as `/`, so `/<tab>/evil.example`
 * would become `//evil.example`: control characters and backslashes are refused anywhere.
 */
export function safeRedirectPath(next: unknown, fallback = '/'): string {
  return typeof next === 'string' && /^\/(?![/\\])/.test(next) && !/[\u0000-\u001f\u007f\\]/.test(next) ? next : fallback
}
