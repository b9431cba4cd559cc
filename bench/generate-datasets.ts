import { todayInUk } from '../src/platform/uk-date.js'
import { sql } from 'kysely'
import type { Db } from '../src/db/connection.js'
import type { DatasetTable } from '../src/db/schema.js'
import { addMonths } from '../src/features/datasets/dates.js'
import { FREQUENCIES, LICENCES, THEMES } from '../src/features/datasets/vocabularies.js'

const SUBJECTS = ['Gritting routes', 'Public toilets', 'Spending over £500', 'Land and building assets', 'Planning applications', 'Street lighting', 'Air quality', 'Waste collection', 'Recycling rates', 'Council tax', 'Libraries', 'Parks and green spaces', 'Road collisions', 'Contracts register', 'Leisure attendance', 'Car park occupancy', 'School admissions', 'Housing stock', 'Homelessness', 'Business rates', 'Licensed premises', 'Food hygiene', 'Flood risk', 'Trees', 'Footpaths']
const QUALIFIERS = ['by ward', 'by month', 'annual summary', 'register', 'locations', 'inventory', 'forecast', 'survey results']
const WORDS = ['residents', 'council', 'services', 'quarterly', 'boundary', 'demand', 'capacity', 'performance', 'budget', 'infrastructure', 'community', 'statutory', 'transparency', 'environment', 'transport', 'health']

/** A small deterministic generator, so every run measures the same catalogue. */
function random(seed: number) {
  let state = seed >>> 0
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0
    return state / 2 ** 32
  }
}

/**
 * Writes `count` declarations spread over the first `bodies` organisations straight into the
 * tables (the service would take minutes for 200,000), then builds the full-text index the
 * same way the service does.
 */
export async function generateDatasets(db: Db, count: number, bodies: number, baseUrl = 'http://bench.test'): Promise<void> {
  const organisations = await db.kysely.selectFrom('organisations').select(['id']).orderBy('name').limit(bodies).execute()
  const next = random(42)
  const pick = <T>(list: T[]) => list[Math.floor(next() * list.length)]!
  const today = todayInUk()
  const now = new Date().toISOString()
  const batchSize = db.engine === 'sqlite' ? 1000 : 500
  for (let start = 0; start < count; start += batchSize) {
    const rows: DatasetTable[] = []
    const releases: { id: string; dataset_id: string; planned_date: string; precision: string; first_planned_date: string; first_precision: string; state: string; change_note: null; released_at: null; created_at: string; updated_at: string }[] = []
    const distributions: { id: string; dataset_id: string; title: string; access_url: null; download_url: string; format: string; media_type: string; byte_size: number; release_id: null; created_at: string }[] = []
    for (let i = start; i < Math.min(count, start + batchSize); i++) {
      const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
      const roll = next()
      const status = roll < 0.45 ? 'published' : roll < 0.8 ? 'scheduled' : roll < 0.97 ? 'declared' : 'withdrawn'
      const access = next() < 0.8 ? 'open' : next() < 0.5 ? 'restricted' : 'non-public'
      const nextRelease = status === 'scheduled' || (status === 'published' && next() < 0.5) ? addMonths(today, Math.floor(next() * 18) - 2) : null
      rows.push({
        id,
        organisation_id: organisations[i % organisations.length]!.id,
        identifier: `${baseUrl}/datasets/${id}`,
        reference: `REF-${i}`,
        title: `${pick(SUBJECTS)} ${pick(QUALIFIERS)} ${i}`,
        description: Array.from({ length: 12 }, () => pick(WORDS)).join(' '),
        keywords: JSON.stringify([pick(WORDS), pick(WORDS)]),
        themes: JSON.stringify([pick(THEMES).code]),
        access_level: access,
        access_reason: access === 'open' ? null : 'personal-data',
        access_explanation: access === 'open' ? null : 'Holds personal data.',
        licence: pick(LICENCES).code,
        frequency: pick(FREQUENCIES).code,
        temporal_start: null,
        temporal_end: null,
        spatial: null,
        contact_name: null,
        contact_email: null,
        status,
        withdrawn_reason: status === 'withdrawn' ? 'Replaced.' : null,
        next_release_date: nextRelease,
        version: 1,
        created_at: now,
        updated_at: now,
        published_at: status === 'published' ? now : null,
        search_rowid: db.engine === 'sqlite' ? i + 1 : null,
      })
      if (nextRelease) {
        releases.push({ id: `10000000-0000-4000-8000-${String(i).padStart(12, '0')}`, dataset_id: id, planned_date: nextRelease, precision: 'day', first_planned_date: nextRelease, first_precision: 'day', state: 'confirmed', change_note: null, released_at: null, created_at: now, updated_at: now })
      }
      if (status === 'published') {
        distributions.push({ id: `20000000-0000-4000-8000-${String(i).padStart(12, '0')}`, dataset_id: id, title: 'Download', access_url: null, download_url: `https://data.example.gov.uk/${i}.csv`, format: next() < 0.7 ? 'CSV' : 'JSON', media_type: 'text/csv', byte_size: 1000 + i, release_id: null, created_at: now })
      }
    }
    await db.kysely.transaction().execute(async (trx) => {
      await trx.insertInto('datasets').values(rows).execute()
      if (releases.length > 0) await trx.insertInto('releases').values(releases).execute()
      if (distributions.length > 0) await trx.insertInto('distributions').values(distributions).execute()
    })
  }
  if (db.engine === 'sqlite') {
    await sql`
      insert into datasets_fts (rowid, dataset_id, title, description, keywords, publisher)
      select d.search_rowid, d.id, d.title, d.description, d.keywords, o.name || ' ' || o.short_name
      from datasets d join organisations o on o.id = d.organisation_id`.execute(db.kysely)
  } else {
    await sql`update datasets set search_rowid = nextval('datasets_search_rowid_seq') where search_rowid is null`.execute(db.kysely)
    await sql`
      insert into datasets_fts (dataset_id, search_rowid, document)
      select d.id, d.search_rowid,
        setweight(to_tsvector('english', d.title), 'A') ||
        setweight(to_tsvector('english', d.keywords), 'B') ||
        setweight(to_tsvector('english', o.name || ' ' || o.short_name), 'B') ||
        setweight(to_tsvector('english', d.description), 'C')
      from datasets d join organisations o on o.id = d.organisation_id`.execute(db.kysely)
    await sql`analyze`.execute(db.kysely)
  }
}
