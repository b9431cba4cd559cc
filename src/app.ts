import { randomUUID } from 'node:crypto'
import path from 'node:path'
import Fastify, { type FastifyInstance } from 'fastify'
import formbody from '@fastify/formbody'
import fastifyStatic from '@fastify/static'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import type { Config } from './config.js'
import type { Db } from './db/connection.js'
import { createServices, type Services } from './services.js'
import { sourceRoot } from './paths.js'
import './platform/fastify-types.js'
import security from './platform/security.js'
import requestActor from './platform/request-actor.js'
import render from './platform/render.js'
import errorHandler from './platform/error-handler.js'
import apiDocs from './platform/api-docs.js'
import { govukFrontendDist } from './platform/views.js'
import healthRoutes from './features/health/routes.js'
import homeRoutes from './features/home/routes.js'
import organisationRoutes from './features/organisations/routes.js'
import accountRoutes from './features/accounts/routes.js'
import auditRoutes from './features/audit/routes.js'
import datasetAuditRoutes from './features/datasets/audit-routes.js'
import datasetRoutes from './features/datasets/routes.js'
import datasetImportRoutes from './features/datasets/import-routes.js'
import datasetApiRoutes from './features/datasets/api-routes.js'
import datasetSearchRoutes from './features/datasets/search-routes.js'
import requestRoutes from './features/requests/routes.js'
import requestApiRoutes from './features/requests/api-routes.js'
import dataJsonRoutes from './features/datajson/routes.js'
import dcatRoutes from './features/dcat/routes.js'
import ckanRoutes from './features/ckan/routes.js'
import feedsRoutes from './features/feeds/routes.js'
import harvestRoutes from './features/harvest/routes.js'
import assetRoutes from './features/assets/routes.js'
import assetReportRoutes from './features/assets/reports/routes.js'
import purchaseCheckRoutes from './features/assets/check/routes.js'
import sharingRoutes from './features/sharing/routes.js'

export interface BuildOptions {
  config: Config
  db: Db
  services?: Services
  /** Where log lines are written instead of standard output (tests capture the log with it). */
  logStream?: { write(line: string): void }
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/

export async function buildApp({ config, db, services = createServices(config, db), logStream }: BuildOptions): Promise<FastifyInstance> {
  const app = Fastify({
    trustProxy: config.trustProxy,
    logger: {
      level: config.logLevel,
      // Belt and braces: the default serialisers log no headers or bodies, but if anyone adds
      // them these never reach the log.
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'res.headers["set-cookie"]', '*.password', '*.token', '*.secret'],
        censor: '[redacted]',
      },
      ...(logStream ? { stream: logStream } : {}),
    },
    requestIdHeader: false,
    genReqId: (request) => {
      const incoming = request.headers['x-request-id']
      return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID()
    },
    ajv: { customOptions: { coerceTypes: 'array', removeAdditional: false, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>()

  app.decorate('services', services)
  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id)
  })

  await app.register(errorHandler)
  await app.register(security, { config, db })
  await app.register(formbody)
  await app.register(requestActor)
  await app.register(render, { reloadTemplates: config.env === 'development' })
  await app.register(fastifyStatic, { root: path.join(govukFrontendDist, 'govuk', 'assets'), prefix: '/assets/', maxAge: '1d' })
  await app.register(fastifyStatic, { root: path.join(govukFrontendDist, 'govuk'), prefix: '/govuk/', decorateReply: false, allowedPath: (p) => /^\/govuk-frontend\.min\.(css|js)(\.map)?$/.test(p) })
  await app.register(fastifyStatic, { root: path.join(sourceRoot, 'platform', 'public'), prefix: '/public/', decorateReply: false })
  await app.register(apiDocs)

  await app.register(healthRoutes)
  await app.register(homeRoutes)
  await app.register(organisationRoutes)
  await app.register(accountRoutes)
  await app.register(auditRoutes)
  await app.register(datasetAuditRoutes)
  await app.register(datasetRoutes)
  await app.register(datasetImportRoutes)
  await app.register(datasetApiRoutes)
  await app.register(datasetSearchRoutes)
  await app.register(requestRoutes)
  await app.register(requestApiRoutes)
  await app.register(dataJsonRoutes)
  await app.register(dcatRoutes)
  await app.register(ckanRoutes)
  await app.register(feedsRoutes)
  await app.register(harvestRoutes)
  await app.register(assetRoutes)
  await app.register(assetReportRoutes)
  await app.register(purchaseCheckRoutes)
  await app.register(sharingRoutes)
  return app
}
