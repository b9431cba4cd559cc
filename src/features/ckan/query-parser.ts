/*
 * The part of Solr's query syntax CKAN clients send in `q` and `fq`: `field:value`, quoted
 * values, `field:(a OR b)`, ranges `[a TO b]` / `{a TO b}` with `*` for open ends, `AND`,
 * `OR`, `NOT`, `+`/`-` prefixes and brackets. Words without a field are free text.
 *
 * Lucene's own mix of AND and OR is notoriously surprising (`a b OR c` matches every `a`), so
 * this follows plain boolean rules instead, which is what callers mean: NOT binds tightest,
 * then AND, then OR, and a space is an AND between whole OR-groups. So the ckanext-harvest
 * filter `metadata_modified:[X TO *] organization:a OR organization:b` means
 * "changed since X, and from a or b".
 */

export type QueryNode =
  | { kind: 'all' }
  | { kind: 'and'; nodes: QueryNode[] }
  | { kind: 'or'; nodes: QueryNode[] }
  | { kind: 'not'; node: QueryNode }
  /** `field` null is free text (Solr's default field). `value` `*` alone means "has any value". */
  | { kind: 'term'; field: string | null; value: string; quoted: boolean }
  | { kind: 'range'; field: string; from: string | null; to: string | null; fromInclusive: boolean; toInclusive: boolean }

/** The query could not be understood; CKAN answers these with a "Search Query Error". */
export class QuerySyntaxError extends Error {}

const MAX_LENGTH = 4000
const MAX_DEPTH = 20
const MAX_CLAUSES = 200
const FIELD = /^[A-Za-z_][A-Za-z0-9_.]*$/

export function parseQuery(text: string): QueryNode {
  if (text.length > MAX_LENGTH) throw new QuerySyntaxError(`The query is longer than ${MAX_LENGTH} characters`)
  const parser = new Parser(text)
  const node = parser.sequence(null, 0)
  parser.skipSpace()
  if (!parser.atEnd()) throw new QuerySyntaxError(`Unexpected “${text.slice(parser.pos, parser.pos + 20)}”`)
  return node
}

/** Every field a query names, so callers can tell whether it chooses e.g. the state itself. */
export function fieldsOf(node: QueryNode): Set<string> {
  const fields = new Set<string>()
  const visit = (n: QueryNode): void => {
    if (n.kind === 'and' || n.kind === 'or') n.nodes.forEach(visit)
    else if (n.kind === 'not') visit(n.node)
    else if (n.kind === 'term' && n.field) fields.add(n.field)
    else if (n.kind === 'range') fields.add(n.field)
  }
  visit(node)
  return fields
}

class Parser {
  pos = 0
  private clauses = 0

  constructor(private readonly text: string) {}

  atEnd(): boolean {
    return this.pos >= this.text.length
  }

  skipSpace(): void {
    while (!this.atEnd() && /\s/.test(this.text[this.pos]!)) this.pos++
  }

  /** Clauses separated by spaces, all required; ends at the end or at a closing bracket. */
  sequence(field: string | null, depth: number): QueryNode {
    if (depth > MAX_DEPTH) throw new QuerySyntaxError('The query is nested too deeply')
    const nodes: QueryNode[] = []
    for (;;) {
      this.skipSpace()
      if (this.atEnd() || this.text[this.pos] === ')') break
      nodes.push(this.or(field, depth))
    }
    return combine('and', nodes)
  }

  private or(field: string | null, depth: number): QueryNode {
    const nodes = [this.and(field, depth)]
    while (this.operator('OR', '||')) nodes.push(this.and(field, depth))
    return combine('or', nodes)
  }

  private and(field: string | null, depth: number): QueryNode {
    const nodes = [this.unary(field, depth)]
    while (this.operator('AND', '&&')) nodes.push(this.unary(field, depth))
    return combine('and', nodes)
  }

  private unary(field: string | null, depth: number): QueryNode {
    this.skipSpace()
    if (this.operator('NOT', '!')) return { kind: 'not', node: this.unary(field, depth) }
    const c = this.text[this.pos]
    if (c === '-') {
      this.pos++
      return { kind: 'not', node: this.primary(field, depth) }
    }
    if (c === '+') this.pos++
    return this.primary(field, depth)
  }

  private primary(field: string | null, depth: number): QueryNode {
    if (++this.clauses > MAX_CLAUSES) throw new QuerySyntaxError(`The query has more than ${MAX_CLAUSES} clauses`)
    this.skipSpace()
    if (this.atEnd()) throw new QuerySyntaxError('The query ends where a value was expected')
    const c = this.text[this.pos]!
    if (c === '(') return this.group(field, depth)
    if (c === ')') throw new QuerySyntaxError('A closing bracket has no opening one')
    if (c === '"') return { kind: 'term', field, value: this.quoted(), quoted: true }
    if (c === '[' || c === '{') {
      if (!field) throw new QuerySyntaxError('A range needs a field, like metadata_modified:[2026-01-01T00:00:00Z TO *]')
      return this.range(field)
    }
    if (this.text.startsWith('*:*', this.pos)) {
      this.pos += 3
      return { kind: 'all' }
    }
    const word = this.word(field !== null)
    if (field === null && this.text[this.pos] === ':') {
      this.pos++
      if (!FIELD.test(word)) throw new QuerySyntaxError(`“${word}” is not a field name`)
      return this.fieldValue(word, depth)
    }
    return { kind: 'term', field, value: word, quoted: false }
  }

  private fieldValue(field: string, depth: number): QueryNode {
    this.skipSpace()
    if (this.atEnd()) throw new QuerySyntaxError(`The field ${field} has no value`)
    const c = this.text[this.pos]!
    if (c === '(') return this.group(field, depth)
    if (c === '[' || c === '{') return this.range(field)
    if (c === '"') return { kind: 'term', field, value: this.quoted(), quoted: true }
    return { kind: 'term', field, value: this.word(true), quoted: false }
  }

  private group(field: string | null, depth: number): QueryNode {
    this.pos++
    const node = this.sequence(field, depth + 1)
    this.skipSpace()
    if (this.text[this.pos] !== ')') throw new QuerySyntaxError('A bracket is not closed')
    this.pos++
    return node
  }

  private range(field: string): QueryNode {
    const fromInclusive = this.text[this.pos++] === '['
    this.skipSpace()
    const from = this.rangeValue()
    this.skipSpace()
    if (!this.text.startsWith('TO', this.pos)) throw new QuerySyntaxError(`The range on ${field} has no TO`)
    this.pos += 2
    this.skipSpace()
    const to = this.rangeValue()
    this.skipSpace()
    const close = this.text[this.pos]
    if (close !== ']' && close !== '}') throw new QuerySyntaxError(`The range on ${field} is not closed with ] or }`)
    this.pos++
    return { kind: 'range', field, from, to, fromInclusive, toInclusive: close === ']' }
  }

  private rangeValue(): string | null {
    const value = this.text[this.pos] === '"' ? this.quoted() : this.word(true, true)
    if (value === '') throw new QuerySyntaxError('A range is missing a value')
    return value === '*' ? null : value
  }

  private quoted(): string {
    let out = ''
    this.pos++
    while (!this.atEnd()) {
      const c = this.text[this.pos++]!
      if (c === '\\' && !this.atEnd()) out += this.text[this.pos++]
      else if (c === '"') return out
      else out += c
    }
    throw new QuerySyntaxError('A quotation mark is not closed')
  }

  /** A bare word up to a space or bracket; a backslash escapes the next character. */
  private word(colonsAllowed: boolean, inRange = false): string {
    let out = ''
    while (!this.atEnd()) {
      const c = this.text[this.pos]!
      if (/\s/.test(c) || c === '(' || c === ')' || (!colonsAllowed && c === ':') || (inRange && (c === ']' || c === '}'))) break
      if (c === '\\' && this.pos + 1 < this.text.length) {
        out += this.text[this.pos + 1]
        this.pos += 2
        continue
      }
      out += c
      this.pos++
    }
    if (out === '') throw new QuerySyntaxError(`Unexpected “${this.text[this.pos] ?? 'end'}”`)
    return out
  }

  /** Consumes an operator word (`AND`) or symbol (`&&`) when one comes next. */
  private operator(word: string, symbol: string): boolean {
    const start = this.pos
    this.skipSpace()
    if (this.text.startsWith(symbol, this.pos)) {
      this.pos += symbol.length
      return true
    }
    if (this.text.startsWith(word, this.pos)) {
      const after = this.text[this.pos + word.length]
      if (after === undefined || /[\s(]/.test(after)) {
        this.pos += word.length
        return true
      }
    }
    this.pos = start
    return false
  }
}

function combine(kind: 'and' | 'or', nodes: QueryNode[]): QueryNode {
  if (nodes.length === 0) return { kind: 'all' }
  if (nodes.length === 1) return nodes[0]!
  return { kind, nodes }
}
