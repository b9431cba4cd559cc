import { describe, expect, it } from 'vitest'
import { datasetName, idOfName } from './names.js'
import { fieldsOf, parseQuery, QuerySyntaxError } from './query-parser.js'
import { ckanDate, parseSolrDate } from './solr-dates.js'
import { planSort } from './sort.js'

const term = (field: string | null, value: string, quoted = false) => ({ kind: 'term', field, value, quoted })

describe('reading CKAN’s Solr queries', () => {
  it('reads fields, quoted values, brackets and free words', () => {
    expect(parseQuery('organization:leeds')).toEqual(term('organization', 'leeds'))
    expect(parseQuery('tags:"air quality"')).toEqual(term('tags', 'air quality', true))
    expect(parseQuery('tags:air\\ quality')).toEqual(term('tags', 'air quality'))
    expect(parseQuery('gritting routes')).toEqual({ kind: 'and', nodes: [term(null, 'gritting'), term(null, 'routes')] })
    expect(parseQuery('organization:(leeds OR "manchester")')).toEqual({ kind: 'or', nodes: [term('organization', 'leeds'), term('organization', 'manchester', true)] })
    expect(parseQuery('title: gritting')).toEqual(term('title', 'gritting'))
    expect(parseQuery('*:*')).toEqual({ kind: 'all' })
    expect(parseQuery('   ')).toEqual({ kind: 'all' })
  })

  it('binds NOT, then AND, then OR, and a space joins whole OR-groups', () => {
    // ckanext-harvest's incremental filter with an organisation list.
    expect(parseQuery('metadata_modified:[2026-01-01T00:00:00Z TO *] organization:a OR organization:b')).toEqual({
      kind: 'and',
      nodes: [
        { kind: 'range', field: 'metadata_modified', from: '2026-01-01T00:00:00Z', to: null, fromInclusive: true, toInclusive: true },
        { kind: 'or', nodes: [term('organization', 'a'), term('organization', 'b')] },
      ],
    })
    expect(parseQuery('a:1 AND b:2 OR c:3')).toEqual({ kind: 'or', nodes: [{ kind: 'and', nodes: [term('a', '1'), term('b', '2')] }, term('c', '3')] })
    expect(parseQuery('+capacity:public -organization:x NOT tags:y')).toEqual({
      kind: 'and',
      nodes: [term('capacity', 'public'), { kind: 'not', node: term('organization', 'x') }, { kind: 'not', node: term('tags', 'y') }],
    })
    expect(parseQuery('a:1 && (b:2 || c:3)')).toEqual({ kind: 'and', nodes: [term('a', '1'), { kind: 'or', nodes: [term('b', '2'), term('c', '3')] }] })
    // Lower-case words and words that only start like an operator are plain words.
    expect(parseQuery('rock and ORCHESTRA')).toEqual({ kind: 'and', nodes: [term(null, 'rock'), term(null, 'and'), term(null, 'ORCHESTRA')] })
  })

  it('reads ranges with either kind of bound and open ends', () => {
    expect(parseQuery('metadata_modified:{* TO NOW-1DAY}')).toEqual({ kind: 'range', field: 'metadata_modified', from: null, to: 'NOW-1DAY', fromInclusive: false, toInclusive: false })
    expect(parseQuery('num_resources:[1 TO *]')).toEqual({ kind: 'range', field: 'num_resources', from: '1', to: null, fromInclusive: true, toInclusive: true })
  })

  it('refuses what it cannot read, saying why', () => {
    for (const bad of ['organization:(leeds', 'organization:leeds)', 'tags:"unclosed', 'organization:', 'metadata_modified:[2026 TO', 'x:[a b]', '[1 TO 2]', '"a" OR', 'bad field:x(', 'a'.repeat(5000)]) {
      expect(() => parseQuery(bad), bad).toThrow(QuerySyntaxError)
    }
    expect(() => parseQuery('('.repeat(30) + 'a' + ')'.repeat(30))).toThrow(/nested too deeply/)
  })

  it('lists the fields a query names', () => {
    expect([...fieldsOf(parseQuery('state:deleted OR -(tags:a organization:b) words'))].sort()).toEqual(['organization', 'state', 'tags'])
  })
})

describe('Solr dates', () => {
  const now = new Date('2026-11-27T10:15:30.250Z')

  it('reads instants with any number of fraction digits, noting digits beyond the millisecond', () => {
    expect(parseSolrDate('2026-01-01T00:00:00Z', now)).toEqual({ iso: '2026-01-01T00:00:00.000Z', beyondMillis: false })
    expect(parseSolrDate('2026-01-01T00:00:00.5Z', now)).toEqual({ iso: '2026-01-01T00:00:00.500Z', beyondMillis: false })
    // What ckanext-harvest sends: Python's isoformat with microseconds, then Z.
    expect(parseSolrDate('2026-11-27T09:15:30.123456Z', now)).toEqual({ iso: '2026-11-27T09:15:30.123Z', beyondMillis: true })
    expect(parseSolrDate('2026-11-27T09:15:30.123000Z', now).beyondMillis).toBe(false)
  })

  it('does date maths on NOW and on instants', () => {
    expect(parseSolrDate('NOW', now).iso).toBe('2026-11-27T10:15:30.250Z')
    expect(parseSolrDate('NOW-7DAYS', now).iso).toBe('2026-11-20T10:15:30.250Z')
    expect(parseSolrDate('NOW/DAY', now).iso).toBe('2026-11-27T00:00:00.000Z')
    expect(parseSolrDate('NOW-1MONTH/DAY', now).iso).toBe('2026-10-27T00:00:00.000Z')
    expect(parseSolrDate('NOW+2HOURS', now).iso).toBe('2026-11-27T12:15:30.250Z')
    expect(parseSolrDate('2026-01-31T00:00:00Z+1DAY', now).iso).toBe('2026-02-01T00:00:00.000Z')
  })

  it('refuses dates Solr would refuse', () => {
    for (const bad of ['2026-01-01', '2026-02-30T00:00:00Z', 'yesterday', 'NOW-1FORTNIGHT', '2026-01-01T00:00:00']) {
      expect(() => parseSolrDate(bad, now), bad).toThrow(QuerySyntaxError)
    }
  })

  it('writes dates as CKAN does: UTC, microseconds, no zone', () => {
    expect(ckanDate('2026-11-27T10:15:30.250Z')).toBe('2026-11-27T10:15:30.250000')
    expect(ckanDate(null)).toBeNull()
  })
})

describe('sort orders', () => {
  it('accepts CKAN’s sort fields and always ends on the id, so pages never overlap', () => {
    const plan = planSort('metadata_modified desc', 'sqlite', false)
    expect(plan.relevance).toBe(false)
    expect(plan.keyset).toEqual({ columns: ['updated_at', 'id'], direction: 'desc' })
    expect(planSort('id asc', 'postgres', false).keyset).toEqual({ columns: ['id'], direction: 'asc' })
    expect(planSort('title_string asc', 'sqlite', false).keyset).toBeNull()
    expect(planSort('metadata_modified desc, id asc', 'sqlite', false).keyset).toBeNull()
    // Relevance only when there are words to rank by.
    expect(planSort('score desc, metadata_modified desc', 'sqlite', true).relevance).toBe(true)
    expect(planSort('score desc, metadata_modified desc', 'sqlite', false)).toMatchObject({ relevance: false, keyset: { columns: ['updated_at', 'id'] } })
  })

  it('refuses fields and directions Solr would refuse', () => {
    for (const bad of ['views_recent desc', 'metadata_modified', 'id up', 'id asc,', 'id asc extra']) {
      expect(() => planSort(bad, 'sqlite', false), bad).toThrow('Invalid "sort" parameter')
    }
  })
})

describe('dataset names', () => {
  const id = '0b5c2e4e-8d0a-4a4b-9a59-6b8d8f0e5f21'

  it('are the title’s slug and the id, at most 100 characters, and lead back to the id', () => {
    expect(datasetName(id, 'Spending over £500')).toBe(`spending-over-500-${id}`)
    const long = datasetName(id, 'A very long title '.repeat(20))
    expect(long.length).toBeLessThanOrEqual(100)
    expect(long).toMatch(/^[a-z0-9-]+$/)
    expect(long.endsWith(`-${id}`)).toBe(true)
    expect(datasetName(id, 'Ystadegau — ☃')).toBe(`ystadegau-${id}`)
    expect(datasetName(id, '☃')).toBe(id)
    expect(idOfName(`spending-over-500-${id}`)).toBe(id)
    expect(idOfName(`an-old-title-${id}`)).toBe(id)
    expect(idOfName(id)).toBe(id)
    expect(idOfName('not-a-name')).toBe('not-a-name')
  })
})
