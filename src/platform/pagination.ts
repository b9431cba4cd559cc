import { Type } from 'typebox'

/** Every list in the platform pages the same way: `?page=&pageSize=`, with a total. */
export const PaginationQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  pageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
})

export interface PageRequest {
  page: number
  pageSize: number
}

export interface Page<T> {
  items: T[]
  total: number
  page: number
  pageSize: number
}

export const DEFAULT_PAGE_SIZE = 20
export const MAX_PAGE_SIZE = 100

/** Reads `page` and `pageSize` leniently (forms and links), clamping to sensible bounds. */
export function pageRequest(query: { page?: unknown; pageSize?: unknown }, defaultSize = DEFAULT_PAGE_SIZE): PageRequest {
  const page = Math.max(1, Math.floor(Number(query.page)) || 1)
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(Number(query.pageSize)) || defaultSize))
  return { page, pageSize }
}

export function pageCount(page: Page<unknown>): number {
  return Math.max(1, Math.ceil(page.total / page.pageSize))
}

/** The JSON shape of a page in the API. */
export function PageSchema<T extends Parameters<typeof Type.Array>[0]>(item: T) {
  return Type.Object({
    items: Type.Array(item),
    total: Type.Integer(),
    page: Type.Integer(),
    pageSize: Type.Integer(),
  })
}

/**
 * Parameters for the `govukPagination` component: previous/next and numbered links that keep
 * every other query parameter, so each state of a list is a shareable URL.
 */
export function paginationComponent(page: Page<unknown>, path: string, query: Record<string, unknown>) {
  const last = pageCount(page)
  if (last <= 1) return undefined
  const href = (n: number) => {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (key === 'page' || value === undefined || value === '') continue
      for (const v of Array.isArray(value) ? value : [value]) params.append(key, String(v))
    }
    if (n > 1) params.set('page', String(n))
    const qs = params.toString()
    return qs ? `${path}?${qs}` : path
  }
  const numbers = new Set([1, last, page.page - 1, page.page, page.page + 1].filter((n) => n >= 1 && n <= last))
  const sorted = [...numbers].sort((a, b) => a - b)
  const items: object[] = []
  sorted.forEach((n, i) => {
    if (i > 0 && n - sorted[i - 1]! > 1) items.push({ ellipsis: true })
    items.push({ number: n, href: href(n), current: n === page.page })
  })
  return {
    previous: page.page > 1 ? { href: href(page.page - 1) } : undefined,
    next: page.page < last ? { href: href(page.page + 1) } : undefined,
    items,
  }
}
