import type { Kysely } from 'kysely'
import type { Engine } from '../connection.js'
import { autoIncrementId } from '../migrate.js'

/**
 * The register of public assets. Indexes serve the body's register (by code and by name), the
 * hierarchy of sites and their parts, and the search page's facets and map, which filter and
 * count by status, class, CPV division, value and place over a million rows.
 */
export async function up(db: Kysely<any>, engine: Engine): Promise<void> {
  // An integer id: rows append to the table's B-tree as a register is imported, and the search
  // and map indexes (FTS5, R*Tree) key their rows by integer.
  await autoIncrementId(db.schema.createTable('assets'), engine)
    .addColumn('organisation_id', 'text', (c) => c.notNull().references('organisations.id'))
    .addColumn('asset_code', 'text', (c) => c.notNull())
    .addColumn('uprn', 'text')
    .addColumn('parent_id', 'bigint', (c) => c.references('assets.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('asset_class', 'text')
    .addColumn('cpv_code', 'text')
    .addColumn('cpv_division', 'text')
    .addColumn('acquisition_date', 'text')
    .addColumn('acquisition_cost_pence', 'bigint')
    .addColumn('current_value_pence', 'bigint')
    .addColumn('valuation_date', 'text')
    .addColumn('value_pence', 'bigint')
    .addColumn('depreciation_method', 'text')
    .addColumn('useful_life_years', 'double precision')
    .addColumn('depreciation_rate_percent', 'double precision')
    .addColumn('residual_value_pence', 'bigint')
    .addColumn('condition_grade', 'text')
    .addColumn('status', 'text')
    .addColumn('disposal_date', 'text')
    .addColumn('disposal_method', 'text')
    .addColumn('disposal_proceeds_pence', 'bigint')
    .addColumn('utilisation_percent', 'double precision')
    .addColumn('utilisation_measured_on', 'text')
    .addColumn('tenure', 'text')
    .addColumn('tenure_detail', 'text')
    .addColumn('tenure_other_detail', 'text')
    .addColumn('holding_type', 'text')
    .addColumn('floor_area_m2', 'double precision')
    .addColumn('land_area_ha', 'double precision')
    .addColumn('energy_rating', 'text')
    .addColumn('custodian_department', 'text')
    .addColumn('street_number', 'text')
    .addColumn('street_name', 'text')
    .addColumn('post_town', 'text')
    .addColumn('postcode', 'text')
    .addColumn('lat', 'double precision')
    .addColumn('lon', 'double precision')
    .addColumn('easting', 'double precision')
    .addColumn('northing', 'double precision')
    .addColumn('source_crs', 'text')
    .addColumn('location_precision', 'text')
    .addColumn('effective_date', 'text')
    .addColumn('available_to_share', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // Imports upsert on it: a body's asset code names one asset.
    .addUniqueConstraint('assets_organisation_code', ['organisation_id', 'asset_code'])
    .execute()
  await db.schema.createIndex('assets_organisation_name').on('assets').columns(['organisation_id', 'name', 'id']).execute()
  await db.schema.createIndex('assets_name').on('assets').columns(['name', 'id']).execute()
  await db.schema.createIndex('assets_parent').on('assets').column('parent_id').execute()
  await db.schema.createIndex('assets_uprn').on('assets').column('uprn').execute()
  await db.schema.createIndex('assets_status').on('assets').columns(['status', 'organisation_id']).execute()
  await db.schema.createIndex('assets_class').on('assets').columns(['asset_class', 'organisation_id']).execute()
  await db.schema.createIndex('assets_cpv_division').on('assets').columns(['cpv_division', 'organisation_id']).execute()
  await db.schema.createIndex('assets_value').on('assets').columns(['value_pence', 'organisation_id']).execute()
  await db.schema.createIndex('assets_location').on('assets').columns(['lat', 'lon']).execute()
}
