import { slugify } from '../../platform/slug.js'

/*
 * CKAN names are URL-safe, unique and at most 100 characters. A dataset's name is its title
 * as a slug followed by its id: unique because the id is, and still resolvable after the title
 * changes, because the id is all a name is looked up by.
 */

const MAX_NAME = 100
const UUID_AT_END = /([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/

export function datasetName(id: string, title: string): string {
  const room = MAX_NAME - id.length - 1
  const slug = slugify(title).slice(0, Math.max(0, room)).replace(/-+$/, '')
  return slug ? `${slug}-${id}` : id
}

/** The dataset id a name (or an id) stands for. */
export function idOfName(nameOrId: string): string {
  return UUID_AT_END.exec(nameOrId)?.[1] ?? nameOrId
}
