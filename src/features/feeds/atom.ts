/*
 * A small Atom 1.0 (RFC 4287) writer. Every text is written as `type="text"` and escaped, so a
 * title like "Pupils < 5 & over" reaches a reader as written; the `feed` package writes titles
 * as HTML in CDATA, which readers would interpret as markup.
 */

export interface AtomPerson {
  name: string
  uri?: string
}

export interface AtomLink {
  href: string
  rel?: 'alternate' | 'self' | 'related'
  type?: string
  title?: string
}

export interface AtomEntry {
  /** A permanent IRI (a `tag:` URI here). */
  id: string
  title: string
  /** RFC 3339 instant. */
  updated: string
  published?: string
  authors: AtomPerson[]
  links: AtomLink[]
  categories?: { term: string; scheme?: string; label?: string }[]
  summary?: string
  content?: string
}

export interface AtomFeed {
  id: string
  title: string
  subtitle?: string
  updated: string
  /** The feed's own address (`rel="self"`). */
  self: string
  /** The page the feed follows (`rel="alternate"`). */
  alternate: string
  author: AtomPerson
  entries: AtomEntry[]
}

/** What XML 1.0 cannot hold even escaped: one stray control code would make the whole feed unreadable. */
const NOT_XML = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

export function escapeXml(text: string): string {
  return text.replace(NOT_XML, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;')
}

function element(name: string, text: string, attributes: Record<string, string | undefined> = {}): string {
  return `<${name}${attributesOf(attributes)}>${escapeXml(text)}</${name}>`
}

function attributesOf(attributes: Record<string, string | undefined>): string {
  return Object.entries(attributes)
    .filter((e): e is [string, string] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escapeXml(v)}"`)
    .join('')
}

function person(tag: 'author', p: AtomPerson): string {
  return `<${tag}>${element('name', p.name)}${p.uri ? element('uri', p.uri) : ''}</${tag}>`
}

function link(l: AtomLink): string {
  return `<link${attributesOf({ rel: l.rel ?? 'alternate', type: l.type, href: l.href, title: l.title })}/>`
}

function entry(e: AtomEntry): string {
  const parts = [
    element('id', e.id),
    element('title', e.title, { type: 'text' }),
    element('updated', e.updated),
    e.published ? element('published', e.published) : '',
    ...e.authors.map((a) => person('author', a)),
    ...e.links.map(link),
    ...(e.categories ?? []).map((c) => `<category${attributesOf({ term: c.term, scheme: c.scheme, label: c.label })}/>`),
    e.summary ? element('summary', e.summary, { type: 'text' }) : '',
    e.content ? element('content', e.content, { type: 'text' }) : '',
  ]
  return `  <entry>\n    ${parts.filter(Boolean).join('\n    ')}\n  </entry>\n`
}

export function atomXml(feed: AtomFeed): string {
  const head = [
    element('id', feed.id),
    element('title', feed.title, { type: 'text' }),
    feed.subtitle ? element('subtitle', feed.subtitle, { type: 'text' }) : '',
    element('updated', feed.updated),
    link({ rel: 'self', type: 'application/atom+xml', href: feed.self }),
    link({ rel: 'alternate', type: 'text/html', href: feed.alternate }),
    person('author', feed.author),
    '<generator>LGDS</generator>',
  ]
  return (
    '<?xml version="1.0" encoding="utf-8"?>\n' +
    '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en-GB">\n  ' +
    head.filter(Boolean).join('\n  ') +
    '\n' +
    feed.entries.map(entry).join('') +
    '</feed>\n'
  )
}
