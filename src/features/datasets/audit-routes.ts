import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import type { Actor } from '../../platform/actor.js'
import { requirePlatformAdmin, roleIn } from '../../platform/authorisation.js'
import { flash, formBody, submitForm, type FormBody } from '../../platform/forms.js'
import { pageRequest, paginationComponent } from '../../platform/pagination.js'
import { ProblemSchema } from '../../platform/problem-schema.js'
import type { Services } from '../../services.js'
import { AUDIT_SORT_KEYS, defaultDirection, type Dashboard, type DashboardOptions, type DashboardRow } from './audit-dashboard.js'
import type { AuditRound } from './audit-round-model.js'

/** The dashboard's columns: the header the page sorts by, and what the CSV calls it. */
const COLUMNS: { key: (typeof AUDIT_SORT_KEYS)[number]; text: string; numeric: boolean }[] = [
  { key: 'body', text: 'Body', numeric: false },
  { key: 'signedOff', text: 'Signed off', numeric: false },
  { key: 'declared', text: 'Datasets declared', numeric: true },
  { key: 'shareOpen', text: 'Open', numeric: true },
  { key: 'overdue', text: 'Releases overdue', numeric: true },
  { key: 'onTime', text: 'Requests answered on time', numeric: true },
]

/**
 * The CSV's header row, published on the dashboard page: renaming or reordering a column breaks
 * whoever reads the file, so add new columns at the end.
 */
export const AUDIT_CSV_COLUMNS: { name: string; description: string; value: (r: DashboardRow) => string | number | null }[] = [
  { name: 'body', description: 'The body’s name', value: (r) => r.name },
  { name: 'slug', description: 'The body’s name in LGDS web addresses', value: (r) => r.slug },
  { name: 'type', description: 'The kind of body', value: (r) => r.typeLabel },
  { name: 'nation', description: 'England, Scotland, Wales or Northern Ireland', value: (r) => r.nation },
  { name: 'region', description: 'The region, in England', value: (r) => r.region },
  { name: 'signed_off', description: '“yes” when the body has signed the round off, otherwise “no”', value: (r) => (r.signoff ? 'yes' : 'no') },
  { name: 'signed_off_by', description: 'Who signed it off', value: (r) => r.signoff?.signedOffByName ?? null },
  { name: 'signed_off_at', description: 'When, as an ISO 8601 UTC timestamp', value: (r) => r.signoff?.signedOffAt ?? null },
  { name: 'datasets_declared', description: 'Datasets declared and not withdrawn', value: (r) => r.declared },
  { name: 'datasets_open', description: 'Of those, the open ones', value: (r) => r.open },
  { name: 'datasets_restricted', description: 'Restricted ones', value: (r) => r.restricted },
  { name: 'datasets_non_public', description: 'Not public ones', value: (r) => r.nonPublic },
  { name: 'share_open_percent', description: 'Open datasets as a percentage of those declared; empty with none declared', value: (r) => r.shareOpen },
  { name: 'releases_overdue', description: 'Planned releases whose period has ended unreleased', value: (r) => r.overdueReleases },
  { name: 'requests_due', description: 'Data requests whose answer was due by today or that are answered', value: (r) => r.requestsDue },
  { name: 'requests_answered_on_time', description: 'Of those, the ones answered by their due date', value: (r) => r.requestsOnTime },
  { name: 'share_answered_on_time_percent', description: 'Requests answered on time as a percentage of those due; empty with none due', value: (r) => r.shareOnTime },
]

const DashboardQuery = Type.Object({
  round: Type.Optional(Type.String({ maxLength: 100, description: 'An audit round’s id; the current round when absent' })),
  sort: Type.Optional(Type.Union(AUDIT_SORT_KEYS.map((k) => Type.Literal(k)))),
  direction: Type.Optional(Type.Union([Type.Literal('asc'), Type.Literal('desc')])),
  nation: Type.Optional(Type.String({ maxLength: 50 })),
  region: Type.Optional(Type.String({ maxLength: 100 })),
  type: Type.Optional(Type.String({ maxLength: 50 })),
})

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()])

const RoundSchema = Type.Object({
  id: Type.String(),
  year: Type.Integer(),
  title: Type.String(),
  openedAt: Type.String(),
  deadline: Type.String({ description: 'ISO date: the last day to sign off' }),
  closedAt: Nullable(Type.String()),
  isOpen: Type.Boolean(),
  deadlinePassed: Type.Boolean(),
})

const DashboardSchema = Type.Object({
  round: Nullable(RoundSchema),
  sort: Type.String(),
  direction: Type.String(),
  totals: Type.Object({
    bodies: Type.Integer(),
    signedOff: Type.Integer(),
    declared: Type.Integer(),
    open: Type.Integer(),
    restricted: Type.Integer(),
    nonPublic: Type.Integer(),
    shareOpen: Nullable(Type.Number()),
    overdueReleases: Type.Integer(),
    requestsDue: Type.Integer(),
    requestsOnTime: Type.Integer(),
    shareOnTime: Nullable(Type.Number()),
  }),
  rows: Type.Array(
    Type.Object({
      slug: Type.String(),
      name: Type.String(),
      type: Type.String(),
      nation: Nullable(Type.String()),
      region: Nullable(Type.String()),
      signoff: Nullable(Type.Object({ signedOffByName: Type.String(), signedOffAt: Type.String(), late: Type.Boolean() })),
      declared: Type.Integer(),
      open: Type.Integer(),
      restricted: Type.Integer(),
      nonPublic: Type.Integer(),
      shareOpen: Nullable(Type.Number({ description: 'Percentage, one decimal place' })),
      overdueReleases: Type.Integer(),
      requestsDue: Type.Integer(),
      requestsOnTime: Type.Integer(),
      shareOnTime: Nullable(Type.Number({ description: 'Percentage, one decimal place' })),
    }),
  ),
})

const SlugParams = Type.Object({ slug: Type.String({ maxLength: 100 }) })
const RoundParams = Type.Object({ id: Type.String({ maxLength: 100 }) })

const datasetAuditRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { auditRounds, organisations } = app.services

  // ---- the dashboard ----

  app.get('/datasets/audit', async (request, reply) => {
    const query = request.query as Record<string, string | undefined>
    const options = dashboardOptions(query)
    const [dashboard, rounds, filterOptions] = await Promise.all([auditRounds.dashboard(options), auditRounds.list(), organisations.filterOptions()])
    const pageReq = pageRequest(query, 100)
    const page = { items: dashboard.rows.slice((pageReq.page - 1) * pageReq.pageSize, pageReq.page * pageReq.pageSize), total: dashboard.rows.length, ...pageReq }
    const kept = { round: options.roundId, nation: options.nation, region: options.region, type: options.type }
    return reply.render('datasets/templates/audit-dashboard.njk', {
      title: 'Data audit dashboard',
      dashboard,
      page,
      rounds,
      filters: kept,
      filterOptions,
      head: COLUMNS.map((c) => sortHeader(c, dashboard, kept)),
      csvHref: withQuery('/datasets/audit.csv', { ...kept, sort: dashboard.sort, direction: dashboard.direction }),
      csvColumns: AUDIT_CSV_COLUMNS,
      pagination: paginationComponent(page, '/datasets/audit', { ...kept, sort: query.sort, direction: query.direction, pageSize: query.pageSize }),
      canManageRounds: request.actor.kind === 'user' && request.actor.isPlatformAdmin,
      breadcrumbs: [
        { text: 'Home', href: '/' },
        { text: 'Datasets', href: '/datasets' },
      ],
    })
  })

  app.get('/datasets/audit.csv', async (request, reply) => {
    const dashboard = await auditRounds.dashboard(dashboardOptions(request.query as Record<string, string | undefined>))
    const lines = [AUDIT_CSV_COLUMNS.map((c) => c.name), ...dashboard.rows.map((r) => AUDIT_CSV_COLUMNS.map((c) => c.value(r)))]
    const name = dashboard.round ? `data-audit-${dashboard.round.year}.csv` : 'data-audit.csv'
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="${name}"`)
      .send(lines.map((cells) => cells.map(csvCell).join(',')).join('\r\n') + '\r\n')
  })

  app.get(
    '/api/v1/datasets/audit',
    {
      schema: {
        tags: ['Datasets'],
        summary: 'The data audit dashboard: per body, sign-off, datasets declared, share open, releases overdue and requests answered on time',
        querystring: DashboardQuery,
        response: { 200: DashboardSchema, 400: ProblemSchema, 404: ProblemSchema },
      },
    },
    async (request) => {
      const { round, ...rest } = request.query
      const dashboard = await auditRounds.dashboard({ ...rest, roundId: round })
      return { ...dashboard, round: dashboard.round ?? null }
    },
  )

  // ---- rounds (platform administrators) ----

  app.get('/datasets/audit/rounds', async (request, reply) => {
    requirePlatformAdmin(request.actor)
    return reply.render('datasets/templates/audit-rounds.njk', await roundsContext(app.services, {}))
  })

  app.post('/datasets/audit/rounds', async (request, reply) => {
    requirePlatformAdmin(request.actor)
    const values = formBody(request)
    let opened: AuditRound | undefined
    const ok = await submitForm(reply, async () => (opened = await auditRounds.open(request.actor, { year: values.year, deadline: deadlineOf(values), title: values.title })), {
      template: 'datasets/templates/audit-rounds.njk',
      context: await roundsContext(app.services, values),
    })
    if (!ok) return reply
    flash(request, `${opened!.title} is open`)
    return reply.redirect('/datasets/audit/rounds', 303)
  })

  app.post('/datasets/audit/rounds/:id/close', { schema: { params: RoundParams } }, async (request, reply) => {
    const closed = await auditRounds.close(request.actor, request.params.id)
    flash(request, `${closed.title} is closed`)
    return reply.redirect('/datasets/audit/rounds', 303)
  })

  // ---- a body's sign-off ----

  app.get('/organisations/:slug/audit', { schema: { params: SlugParams } }, async (request, reply) => {
    return reply.render('datasets/templates/audit-signoff.njk', await signoffContext(app.services, request.actor, request.params.slug, {}))
  })

  app.post('/organisations/:slug/audit', { schema: { params: SlugParams } }, async (request, reply) => {
    const values = formBody(request)
    const { slug } = request.params
    const context = await signoffContext(app.services, request.actor, slug, values)
    const ok = await submitForm(reply, () => auditRounds.signOff(request.actor, slug, values), { template: 'datasets/templates/audit-signoff.njk', context })
    if (!ok) return reply
    flash(request, `${context.organisation.name} has signed off the ${context.round?.year ?? ''} data audit`)
    return reply.redirect(`/organisations/${slug}/audit`, 303)
  })

  app.post('/organisations/:slug/audit/withdraw', { schema: { params: SlugParams } }, async (request, reply) => {
    const { slug } = request.params
    const context = await signoffContext(app.services, request.actor, slug, {})
    const ok = await submitForm(reply, () => auditRounds.withdrawSignoff(request.actor, slug), { template: 'datasets/templates/audit-signoff.njk', context })
    if (!ok) return reply
    flash(request, 'The sign-off has been withdrawn. Sign the audit off again when the inventory is right.')
    return reply.redirect(`/organisations/${slug}/audit`, 303)
  })
}

// ---- helpers ----

function dashboardOptions(query: Record<string, string | undefined>): DashboardOptions {
  const text = (v: string | undefined, max: number) => (typeof v === 'string' && v.trim() ? v.trim().slice(0, max) : undefined)
  return {
    roundId: text(query.round, 100),
    sort: text(query.sort, 20),
    direction: text(query.direction, 4),
    nation: text(query.nation, 50),
    region: text(query.region, 100),
    type: text(query.type, 50),
  }
}

function withQuery(path: string, params: Record<string, string | undefined>): string {
  const search = new URLSearchParams()
  for (const [k, v] of Object.entries(params)) if (v) search.set(k, v)
  const qs = search.toString()
  return qs ? `${path}?${qs}` : path
}

/** A column header that sorts by it, turning the order round when it already does. */
function sortHeader(column: (typeof COLUMNS)[number], dashboard: Dashboard, kept: Record<string, string | undefined>) {
  const active = dashboard.sort === column.key
  const direction = active ? (dashboard.direction === 'asc' ? 'desc' : 'asc') : defaultDirection(column.key)
  return {
    ...column,
    active,
    ariaSort: active ? (dashboard.direction === 'asc' ? 'ascending' : 'descending') : undefined,
    href: withQuery('/datasets/audit', { ...kept, sort: column.key, direction }),
  }
}

/**
 * One CSV cell: quoted when it holds a comma, quote or line break, and text that a spreadsheet
 * would run as a formula is prefixed with an apostrophe.
 */
export function csvCell(value: string | number | null): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text
}

/** The date input's three boxes as an ISO date; what was typed, when it is not a date at all. */
function deadlineOf(values: FormBody): string {
  const [day, month, year] = ['deadline-day', 'deadline-month', 'deadline-year'].map((k) => (values[k] ?? '').trim())
  if (!day && !month && !year) return values.deadline ?? ''
  if (!/^\d{1,2}$/.test(day!) || !/^\d{1,2}$/.test(month!) || !/^\d{4}$/.test(year!)) return `${year}-${month}-${day}`
  return `${year}-${month!.padStart(2, '0')}-${day!.padStart(2, '0')}`
}

async function roundsContext(services: Services, values: FormBody) {
  const rounds = await services.auditRounds.list()
  const counts = await Promise.all(rounds.map((r) => services.auditRounds.signedOffCount(r.id)))
  return {
    title: 'Audit rounds',
    rounds: rounds.map((r, i) => ({ ...r, signedOff: counts[i] })),
    values: { year: String(Number(new Date().getFullYear())), ...values },
    breadcrumbs: [
      { text: 'Home', href: '/' },
      { text: 'Datasets', href: '/datasets' },
      { text: 'Data audit', href: '/datasets/audit' },
    ],
  }
}

async function signoffContext(services: Services, actor: Actor, slug: string, values: FormBody) {
  const organisation = await services.organisations.getBySlug(slug)
  const round = await services.auditRounds.current()
  const [inventory, signoff] = await Promise.all([services.auditRounds.inventory(organisation, round), round ? services.auditRounds.signoffFor(round.id, organisation.id) : undefined])
  const role = roleIn(actor, organisation.id)
  return {
    title: round ? `${round.title}: ${organisation.name}` : `Data audit: ${organisation.name}`,
    organisation,
    round,
    inventory,
    signoff,
    values,
    isBodyAdmin: role === 'admin',
    isMember: role !== undefined,
    canSignOff: !!round?.isOpen && !signoff && role === 'admin',
    canWithdraw: !!round?.isOpen && !round.deadlinePassed && !!signoff && role === 'admin',
    breadcrumbs: [
      { text: 'Home', href: '/' },
      { text: 'Organisations', href: '/organisations' },
      { text: organisation.name, href: `/organisations/${organisation.slug}` },
    ],
  }
}

export default datasetAuditRoutes
