import { COLUMN_SPECS } from './import-columns.js'

/** An example asset for the template, by heading. */
const EXAMPLE: Record<string, string> = {
  asset_code: 'IT-0042',
  name: 'Council chamber voting system',
  description: 'Microphones, voting consoles and the control computer in the council chamber',
  uprn: '100012797623',
  asset_class: 'Vehicles, plant, furniture and equipment',
  cpv_code: '30200000',
  acquisition_date: '2021-06-01',
  acquisition_cost: '24,500.00',
  current_value: '',
  valuation_date: '',
  depreciation_method: 'straight-line',
  useful_life_years: '7',
  residual_value: '500',
  condition: 'B',
  status: 'in use',
  utilisation_percent: '40',
  utilisation_measured_on: '2025-01-31',
  custodian_department: 'Democratic Services',
  street_name: 'Market Street',
  post_town: 'Altrincham',
  postcode: 'WA14 1PF',
  latitude: '53.3879587',
  longitude: '-2.3520922',
  location_precision: 'address',
  available_to_share: 'no',
}

/** The columns of the platform's template: every field under its template heading. */
export function templateColumns(): string[] {
  return COLUMN_SPECS.map((spec) => spec.template).filter((heading): heading is string => Boolean(heading))
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value
}

/** The template: the headings and one example row. */
export function templateCsv(): string {
  const columns = templateColumns()
  return `${columns.join(',')}\r\n${columns.map((c) => csvCell(EXAMPLE[c] ?? '')).join(',')}\r\n`
}
