import type { Kysely } from 'kysely'
import type { Db } from '../../db/connection.js'
import type { Database } from '../../db/schema.js'
import { isUniqueViolation, nowIso } from '../../db/dialect.js'
import type { Actor } from '../../platform/actor.js'
import { recordAudit } from '../../platform/audit.js'
import { requireAdminOf, requirePlatformAdmin } from '../../platform/authorisation.js'
import { newId } from '../../platform/crypto.js'
import { FieldErrors, NotFoundError, ValidationError } from '../../platform/errors.js'
import type { Page, PageRequest } from '../../platform/pagination.js'
import { SLUG_PATTERN, slugify } from '../../platform/slug.js'
import { OrganisationRepository, searchTextOf, type OrganisationFilters, type OrganisationRow } from './repository.js'
import { ADDABLE_TYPES, NATIONS, ORGANISATION_TYPES, typeLabel } from './types.js'

export interface Organisation {
  id: string
  slug: string
  name: string
  shortName: string
  identifier: string | null
  type: string
  typeLabel: string
  nation: string | null
  region: string | null
  parentId: string | null
  website: string | null
  lat: number | null
  lon: number | null
  source: string
  createdAt: string
  updatedAt: string
}

/** What a platform admin fills in to add or change a body. */
export interface OrganisationInput {
  name?: string
  shortName?: string
  slug?: string
  identifier?: string
  type?: string
  nation?: string
  region?: string
  parentSlug?: string
  website?: string
}

/** A row of the local-authority register, as the seeder reads it. */
export interface RegisterEntry {
  slug: string
  name: string
  shortName: string
  gssCode: string
  type: string
  nation: string
  region: string | null
  lat: number | null
  lon: number | null
}

const GSS_CODE = /^[EWSNK]\d{8}$/
const ORG_ID = /^[A-Z]{2}-[A-Z0-9]+-[A-Za-z0-9.\-_/]+$/

export class OrganisationService {
  constructor(private readonly db: Db) {}

  private repo(k = this.db.kysely) {
    return new OrganisationRepository(k, this.db.engine)
  }

  async list(filters: OrganisationFilters, page: PageRequest): Promise<Page<Organisation>> {
    const result = await this.repo().list(filters, page)
    return { ...result, items: result.items.map(toOrganisation) }
  }

  async getBySlug(slug: string): Promise<Organisation> {
    const row = await this.repo().findBySlug(slug)
    if (!row) throw new NotFoundError(`There is no organisation called “${slug}”`)
    return toOrganisation(row)
  }

  /**
   * Pass the caller's transaction when inside one: SQLite has a single connection, so a read
   * outside the transaction would wait for it to finish, for ever.
   */
  async findById(id: string, executor: Kysely<Database> = this.db.kysely): Promise<Organisation | undefined> {
    const row = await this.repo(executor).findById(id)
    return row && toOrganisation(row)
  }

  async findByIds(ids: string[]): Promise<Organisation[]> {
    return (await this.repo().findByIds(ids)).map(toOrganisation)
  }

  async filterOptions() {
    const repo = this.repo()
    const [types, nations, regions] = await Promise.all([
      repo.distinctValues('type'),
      repo.distinctValues('nation'),
      repo.distinctValues('region'),
    ])
    return { types: types.map((code) => ({ value: code, text: typeLabel(code) })), nations, regions }
  }

  count(): Promise<number> {
    return this.repo().count()
  }

  async create(actor: Actor, input: OrganisationInput): Promise<Organisation> {
    requirePlatformAdmin(actor)
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const values = await this.validate(repo, input, undefined)
      const now = nowIso()
      const row: OrganisationRow = { id: newId(), ...values, source: 'admin', created_at: now, updated_at: now }
      await insertOrExplain(() => repo.insert(row))
      await recordAudit(trx, actor, {
        organisationId: row.id,
        action: 'organisation.create',
        entityType: 'organisation',
        entityId: row.id,
        after: row,
      })
      return toOrganisation(row)
    })
  }

  /** A platform admin may change any body; a body's own admin may change its details too. */
  async update(actor: Actor, slug: string, input: OrganisationInput): Promise<Organisation> {
    return this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      const before = await repo.findBySlug(slug)
      if (!before) throw new NotFoundError()
      requireAdminOf(actor, before.id)
      const values = await this.validate(repo, input, before)
      const after: OrganisationRow = { ...before, ...values, updated_at: nowIso() }
      await insertOrExplain(() => repo.update(before.id, after))
      await recordAudit(trx, actor, {
        organisationId: before.id,
        action: 'organisation.update',
        entityType: 'organisation',
        entityId: before.id,
        before,
        after,
      })
      return toOrganisation(after)
    })
  }

  /**
   * Brings the register's local authorities in, matched on GSS code: a second run changes
   * nothing, and a renamed council is updated rather than duplicated.
   */
  async importRegister(
    actor: Actor,
    entries: RegisterEntry[],
    onProgress?: (done: number, total: number) => void,
  ): Promise<{ created: number; updated: number; unchanged: number }> {
    requirePlatformAdmin(actor)
    const counts = { created: 0, updated: 0, unchanged: 0 }
    await this.db.kysely.transaction().execute(async (trx) => {
      const repo = this.repo(trx)
      for (const [index, entry] of entries.entries()) {
        onProgress?.(index, entries.length)
        const existing = await repo.findByIdentifier(entry.gssCode)
        const values = {
          slug: entry.slug,
          name: entry.name,
          short_name: entry.shortName,
          identifier: entry.gssCode,
          type: entry.type,
          nation: entry.nation,
          region: entry.region,
          lat: entry.lat,
          lon: entry.lon,
        }
        if (!existing) {
          const now = nowIso()
          const row: OrganisationRow = {
            id: newId(),
            ...values,
            parent_id: null,
            website: null,
            source: 'register',
            search_text: searchTextOf(values),
            created_at: now,
            updated_at: now,
          }
          await repo.insert(row)
          await recordAudit(trx, actor, { organisationId: row.id, action: 'organisation.create', entityType: 'organisation', entityId: row.id, after: row })
          counts.created++
          continue
        }
        const changed = (Object.keys(values) as (keyof typeof values)[]).some((k) => existing[k] !== values[k])
        if (!changed) {
          counts.unchanged++
          continue
        }
        const after = { ...existing, ...values, search_text: searchTextOf(values), updated_at: nowIso() }
        await repo.update(existing.id, after)
        await recordAudit(trx, actor, { organisationId: existing.id, action: 'organisation.update', entityType: 'organisation', entityId: existing.id, before: existing, after })
        counts.updated++
      }
      onProgress?.(entries.length, entries.length)
    })
    return counts
  }

  private async validate(repo: OrganisationRepository, input: OrganisationInput, current: OrganisationRow | undefined) {
    const errors = new FieldErrors()
    const name = (input.name ?? current?.name ?? '').trim()
    const shortName = (input.shortName ?? current?.short_name ?? '').trim() || name
    const slug = (input.slug ?? current?.slug ?? '').trim().toLowerCase() || slugify(name)
    const identifier = (input.identifier ?? current?.identifier ?? '').trim() || null
    const type = (input.type ?? current?.type ?? '').trim()
    const nation = (input.nation ?? current?.nation ?? '').trim() || null
    const region = (input.region ?? current?.region ?? '').trim() || null
    const website = (input.website ?? current?.website ?? '').trim() || null
    const parentSlug = (input.parentSlug ?? '').trim()

    if (!name) errors.add('name', 'Enter the name of the organisation')
    else if (name.length > 200) errors.add('name', 'Name must be 200 characters or fewer')
    if (shortName.length > 100) errors.add('shortName', 'Short name must be 100 characters or fewer')
    if (!SLUG_PATTERN.test(slug) || slug.length > 100) {
      errors.add('slug', 'Web address name must use only lower-case letters, numbers and hyphens, like “north-yorkshire-police”')
    }
    const allowedTypes = current?.source === 'register' ? Object.keys(ORGANISATION_TYPES) : ADDABLE_TYPES
    if (!type) errors.add('type', 'Select the type of organisation')
    else if (!allowedTypes.includes(type)) errors.add('type', 'Select a type of organisation from the list')
    if (identifier && !GSS_CODE.test(identifier) && !ORG_ID.test(identifier)) {
      errors.add('identifier', 'Identifier must be a GSS code like E08000009 or an org-id like GB-GOR-PB123')
    }
    if (nation && !NATIONS.includes(nation)) errors.add('nation', 'Select England, Scotland, Wales or Northern Ireland')
    if (region && region.length > 100) errors.add('region', 'Region must be 100 characters or fewer')
    if (website && !isWebAddress(website)) errors.add('website', 'Enter a website address starting https:// or http://')

    let parentId = current?.parent_id ?? null
    if (input.parentSlug !== undefined) {
      parentId = null
      if (parentSlug) {
        const parent = await repo.findBySlug(parentSlug)
        if (!parent) errors.add('parentSlug', 'There is no organisation with that web address name')
        else if (parent.id === current?.id) errors.add('parentSlug', 'An organisation cannot be its own parent')
        else parentId = parent.id
      }
    }
    if (!errors.has('slug')) {
      const other = await repo.findBySlug(slug)
      if (other && other.id !== current?.id) errors.add('slug', 'Another organisation already uses that web address name')
    }
    if (identifier && !errors.has('identifier')) {
      const other = await repo.findByIdentifier(identifier)
      if (other && other.id !== current?.id) errors.add('identifier', `${other.name} already has that identifier`)
    }
    errors.throwIfAny()
    const values = { slug, name, short_name: shortName, identifier, type, nation, region, website, parent_id: parentId }
    return {
      ...values,
      lat: current?.lat ?? null,
      lon: current?.lon ?? null,
      search_text: searchTextOf(values),
    }
  }
}

function isWebAddress(text: string): boolean {
  try {
    const url = new URL(text)
    return url.protocol === 'https:' || url.protocol === 'http:'
  } catch {
    return false
  }
}

/** Two admins saving at once can still collide on a unique column; say which. */
async function insertOrExplain(write: () => Promise<void>): Promise<void> {
  try {
    await write()
  } catch (error) {
    if (isUniqueViolation(error)) {
      throw new ValidationError([{ name: 'slug', message: 'Another organisation already uses that web address name or identifier' }])
    }
    throw error
  }
}

export function toOrganisation(row: OrganisationRow): Organisation {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    shortName: row.short_name,
    identifier: row.identifier,
    type: row.type,
    typeLabel: typeLabel(row.type),
    nation: row.nation,
    region: row.region,
    parentId: row.parent_id,
    website: row.website,
    lat: row.lat === null ? null : Number(row.lat),
    lon: row.lon === null ? null : Number(row.lon),
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  }
}
