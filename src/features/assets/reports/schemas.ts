import { Type } from 'typebox'
import { CLASS_TERMS } from '../search/vocabulary.js'
import { CPV_LEVELS, DEFAULT_LEVEL, HORIZONS, DEFAULT_MIN_BODIES, DEFAULT_YEARS, MAX_MIN_BODIES } from './joint-procurement.js'
import { DEFAULT_THRESHOLD } from './underused.js'

/*
 * The reports' API: the same filters as the pages, as query parameters, and their answers.
 * Amounts are integer pence.
 */

export const UnderusedQuery = Type.Object({
  threshold: Type.Optional(Type.Number({ minimum: 0, maximum: 100, default: DEFAULT_THRESHOLD, description: 'Assets whose measured utilisation is below this percentage count, as well as those recorded as underused, vacant or surplus' })),
  body: Type.Optional(Type.String({ maxLength: 100, description: 'Only this body’s assets: its slug, like `trafford`' })),
  class: Type.Optional(Type.Enum(CLASS_TERMS.map((t) => t.code), { description: 'Only this asset class (`none`: not classified)' })),
  region: Type.Optional(Type.String({ maxLength: 100, description: 'Only the assets of bodies in this region, like `North West` (`none`: not recorded)' })),
})

export const UnderusedMapQuery = Type.Object({
  ...UnderusedQuery.properties,
  bbox: Type.String({ maxLength: 100, description: 'The map’s view: minLon,minLat,maxLon,maxLat (WGS84)' }),
  zoom: Type.Optional(Type.Integer({ minimum: 0, maximum: 22, description: 'The map’s zoom level; worked out from the box when absent' })),
  limit: Type.Optional(Type.Integer({ minimum: 10, maximum: 1000, default: 300, description: 'The most features to answer with' })),
})

const Totals = {
  count: Type.Integer({ description: 'Underused assets' }),
  bookValuePence: Type.Integer({ description: 'Their book value today, where known' }),
  unvalued: Type.Integer({ description: 'Of them, with no book value' }),
}
const Share = Type.Union([Type.Number(), Type.Null()], { description: 'The underused book value as a percentage of registerBookValuePence, to one decimal place; null when that is nothing' })

export const UnderusedSchema = Type.Object({
  filters: Type.Object({ threshold: Type.Number(), body: Type.Union([Type.String(), Type.Null()]), class: Type.Union([Type.String(), Type.Null()]), region: Type.Union([Type.String(), Type.Null()]) }),
  total: Type.Object({
    ...Totals,
    bodies: Type.Integer({ description: 'Bodies with an underused asset' }),
    registerBookValuePence: Type.Integer({ description: 'The book value of every asset the filters cover, not disposed of' }),
    sharePercent: Share,
  }),
  byReason: Type.Array(Type.Object({ reason: Type.Enum(['underused', 'vacant', 'surplus', 'low-utilisation']), label: Type.String(), ...Totals }), {
    description: 'Recorded status first: an asset recorded as vacant and barely used counts as vacant',
  }),
  byBody: Type.Array(
    Type.Object({
      slug: Type.String(),
      name: Type.String(),
      type: Type.String(),
      region: Type.Union([Type.String(), Type.Null()]),
      ...Totals,
      registerBookValuePence: Type.Integer({ description: 'The book value of the body’s assets the filters cover, not disposed of' }),
      sharePercent: Share,
    }),
    { description: 'Bodies with an underused asset, most book value first' },
  ),
  byClass: Type.Array(Type.Object({ code: Type.String(), label: Type.String(), ...Totals })),
  byRegion: Type.Array(Type.Object({ value: Type.String({ description: 'The region filter’s value' }), label: Type.String(), ...Totals })),
})

export const ReplacementQuery = Type.Object({
  years: Type.Optional(Type.Integer({ enum: [...HORIZONS], default: DEFAULT_YEARS, description: 'Assets whose useful life ends from today to the day before the same date this many years on' })),
  level: Type.Optional(Type.Enum(CPV_LEVELS.map((l) => l.code), { default: DEFAULT_LEVEL, description: 'Group CPV codes by division (XX000000), group (XXX00000), class (XXXX0000), category (XXXXX000) or the full code' })),
  minBodies: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_MIN_BODIES, default: DEFAULT_MIN_BODIES, description: 'Only groups with assets of at least this many bodies (2: where buying together pays; 1: every group)' })),
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
})

const DemandTotals = Type.Object({
  groups: Type.Integer(),
  count: Type.Integer({ description: 'Assets' }),
  replacementCostPence: Type.Integer({ description: 'What replacing them would cost: each one’s acquisition cost, else its register value, where known' }),
  unvalued: Type.Integer({ description: 'Assets with neither' }),
  bodies: Type.Integer({ description: 'Bodies with an asset in the groups' }),
})

export const ReplacementSchema = Type.Object({
  filters: Type.Object({
    years: Type.Integer(),
    level: Type.String(),
    minBodies: Type.Integer(),
    from: Type.String({ format: 'date' }),
    until: Type.String({ format: 'date', description: 'The window’s last day' }),
  }),
  total: Type.Object(DemandTotals.properties, { description: 'The groups with at least minBodies bodies (all of them, not just this page)' }),
  due: Type.Object(DemandTotals.properties, { description: 'Every group, however many bodies it has' }),
  withoutCpv: Type.Integer({ description: 'Assets due in the window with no CPV code, so in no group' }),
  page: Type.Integer(),
  pageSize: Type.Integer(),
  groups: Type.Array(
    Type.Object({
      cpvCode: Type.String({ description: 'The code at the chosen level, eight digits' }),
      cpvLabel: Type.String(),
      region: Type.String({ description: 'The owning bodies’ region (`none`: not recorded)' }),
      regionLabel: Type.String(),
      count: Type.Integer(),
      replacementCostPence: Type.Integer(),
      unvalued: Type.Integer(),
      bodies: Type.Array(Type.Object({ slug: Type.String(), name: Type.String() })),
      earliestEndOfLife: Type.String({ format: 'date' }),
    }),
    { description: 'Most replacement value first' },
  ),
})
