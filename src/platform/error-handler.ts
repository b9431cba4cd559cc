import fp from 'fastify-plugin'
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify'
import { AppError, ValidationError, type FieldError } from './errors.js'
import { isApiRequest } from './security.js'

/** RFC 9457 problem details, with the failing fields listed. */
export interface Problem {
  type: string
  title: string
  status: number
  detail?: string
  instance?: string
  errors?: FieldError[]
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply.status(problem.status).type('application/problem+json; charset=utf-8').send(JSON.stringify(problem))
}

const PAGE_MESSAGES: Record<number, { title: string; paragraphs: string[] }> = {
  400: { title: 'There is a problem with your request', paragraphs: ['Check what you entered and try again.'] },
  401: { title: 'You need to sign in', paragraphs: ['Sign in to see this page.'] },
  403: { title: 'You cannot do that', paragraphs: ['You do not have permission to see this page or make this change.'] },
  404: { title: 'Page not found', paragraphs: ['If you typed the web address, check it is correct.', 'If you pasted the web address, check you copied the entire address.'] },
  409: { title: 'This record has changed', paragraphs: [] },
  429: { title: 'Too many attempts', paragraphs: [] },
  500: { title: 'Sorry, there is a problem with the service', paragraphs: ['Try again later.'] },
}

/**
 * Turns every error into a page or a problem+json answer. Messages from the platform's own
 * errors are shown; anything unexpected is logged and answered with a generic 500 that leaks
 * nothing.
 */
export default fp(async (app) => {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { status, title, detail, fields } = describe(error)
    if (status >= 500) request.log.error({ err: error }, 'request failed')
    else request.log.info({ status, code: error.code }, error.message)
    if (isApiRequest(request.url)) {
      return sendProblem(reply, {
        type: status === 422 || status === 400 ? '/api/docs#problem-validation' : 'about:blank',
        title,
        status,
        detail,
        instance: request.url.split('?')[0],
        ...(fields ? { errors: fields } : {}),
      })
    }
    return renderErrorPage(request, reply, status, detail)
  })

  app.setNotFoundHandler((request, reply) => {
    if (isApiRequest(request.url)) {
      return sendProblem(reply, { type: 'about:blank', title: 'Not found', status: 404, detail: 'There is nothing at this address', instance: request.url.split('?')[0] })
    }
    return renderErrorPage(request, reply, 404, undefined)
  })
})

function describe(error: FastifyError): { status: number; title: string; detail: string; fields?: FieldError[] } {
  if (error instanceof ValidationError) return { status: error.status, title: error.title, detail: error.message, fields: error.fields }
  if (error instanceof AppError) return { status: error.status, title: error.title, detail: error.message }
  if (error.validation) {
    const fields = error.validation.map((v) => {
      const missing = (v.params as { missingProperty?: string }).missingProperty
      const path = `${v.instancePath}${missing ? `/${missing}` : ''}`.replace(/^\//, '')
      return { name: path || error.validationContext || 'request', message: v.message ?? 'is not valid' }
    })
    return { status: 400, title: 'Validation failed', detail: 'The request has errors', fields }
  }
  if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET') {
    return { status: 403, title: 'Forbidden', detail: 'The form has expired or did not come from this site. Go back, reload the page and try again.' }
  }
  const status = error.statusCode ?? 500
  if (status === 429) return { status, title: 'Too many requests', detail: error.message }
  if (status >= 400 && status < 500) return { status, title: 'Bad request', detail: error.message }
  return { status: 500, title: 'Internal server error', detail: 'Something went wrong. Try again later.' }
}

function renderErrorPage(request: FastifyRequest, reply: FastifyReply, status: number, detail: string | undefined) {
  const page = PAGE_MESSAGES[status] ?? PAGE_MESSAGES[status >= 500 ? 500 : 400]!
  const paragraphs = status >= 500 || status === 404 || !detail ? page.paragraphs : [detail]
  reply.status(status)
  return reply.render('error.njk', {
    title: page.title,
    heading: page.title,
    paragraphs,
    signInLink: status === 401 ? `/sign-in?next=${encodeURIComponent(request.url)}` : undefined,
  })
}
